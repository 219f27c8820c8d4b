"""`kawalctl calendar` against `systemd-analyze calendar`, the reference for calendar expressions.

A seeded generator writes a few thousand expressions — every syntax element, random combinations,
invalid ones — and both tools compute five elapses of each from several base times (around DST
changes, at the ends of the supported range), with TZ unset and set to zones with and without DST.
Both accept many expressions per invocation, so each (TZ, base time) pair is one run of each tool.
Their outputs must be identical, "From now:" lines aside (they follow the real clock).
"""
import json
import os
import random
import re
import shutil
import subprocess

import pytest

from conftest import BIN

SEED = 20250101
EXPRESSIONS = 2400
ITERATIONS = 5
SYSTEMD_ANALYZE = shutil.which("systemd-analyze")

pytestmark = pytest.mark.skipif(SYSTEMD_ANALYZE is None, reason="systemd-analyze is not installed: no reference to compare with")

# Besides Kawal's own: southern-hemisphere DST (Auckland), a half-hour offset (Kolkata), a half-hour DST
# (Lord Howe), DST that starts at midnight (Santiago), DST that is negative in tzdata (Dublin).
ZONES = ["Asia/Makassar", "Asia/Jakarta", "UTC", "Etc/UTC", "Europe/Berlin", "America/New_York", "Pacific/Auckland",
         "Asia/Kolkata", "Australia/Lord_Howe", "America/Santiago", "Europe/Dublin"]
# Base times as systemd-analyze accepts them: UTC, @EPOCH, and (under TZ) local time.
BASE_TIMES = [
    "2025-01-01 00:00:00 UTC",
    "2025-03-30 00:30:00 UTC",   # Europe/Berlin springs forward at 01:00 UTC (02:00 -> 03:00 local)
    "2025-10-26 00:15:00 UTC",   # Europe/Berlin falls back at 01:00 UTC (03:00 -> 02:00 local)
    "2025-03-09 06:30:00 UTC",   # America/New_York springs forward at 07:00 UTC
    "2025-11-02 05:10:00 UTC",   # America/New_York falls back at 06:00 UTC
    "@1709164799",               # 2024-02-28 23:59:59 UTC, the day before a leap day
    "2199-12-30 12:00:00 UTC",   # the end of the supported years
    "2024-12-31 23:59:59.999999 UTC",
    "2025-09-06 12:00:00 UTC",   # America/Santiago springs forward at midnight (04:00 UTC on the 7th)
    "2025-09-27 13:30:00 UTC",   # Pacific/Auckland springs forward at 14:00 UTC
    "2025-04-05 14:20:00 UTC",   # Australia/Lord_Howe falls back half an hour at 15:00 UTC
]
# (TZ, base times): unset TZ reads /etc/localtime (UTC here); the others print local times and "(in UTC):".
RUNS = [
    (None, BASE_TIMES),
    ("Asia/Makassar", BASE_TIMES[:2] + ["2025-06-15 12:34:56"]),
    ("Europe/Berlin", BASE_TIMES[:3] + ["2025-10-26 02:30:00"]),
    ("America/New_York", [BASE_TIMES[0], BASE_TIMES[3], BASE_TIMES[4]]),
    ("Europe/Dublin", [BASE_TIMES[1], BASE_TIMES[2]]),
]

# The examples of systemd.time(7), and cases around the corners of the syntax.
FIXED = [
    "minutely", "hourly", "daily", "monthly", "weekly", "yearly", "quarterly", "semiannually", "annually",
    "anually", "biannually", "bi-annually", "semi-annually", "Daily", "WEEKLY", "daily UTC", "weekly Pacific/Auckland",
    "Sat,Thu,Mon..Wed,Sat..Sun", "Mon,Sun 12-*-* 2,1:23", "Wed *-1", "Wed..Wed,Wed *-1", "Wed, 17:48",
    "Wed..Sat,Tue 12-10-15 1:2:3", "*-*-7 0:0:0", "10-15", "monday *-12-* 17:00", "Mon,Fri *-*-3,1,2 *:30:45",
    "12,14,13,12:20,10,30", "12..14:10,20,30", "mon,fri *-1/2-1,3 *:30:45", "03-05 08:05:40", "08:05:40", "05:40",
    "Sat,Sun 12-05 08:05:40", "Sat,Sun 08:05:40", "2003-03-05 05:40", "05:40:23.4200004/3.1700005", "2003-02..04-05",
    "2003-03-05 05:40 UTC", "2003-03-05", "03-05", "*:2/3", "*-*~01", "*-*~03..01", "*-*~01..03", "*-02~03",
    "Mon *-05~07/1", "*-*~7/1", "Mon..Fri 08:00 Asia/Makassar", "*-*-* 02:30 Europe/Berlin", "*-*-* 02:30",
    "*:0/15", "*:*:0/0.5", "*-02-29", "*-02-30", "Mon *-02-29", "2199-12-31 23:59:59", "2200-01-01", "1969-12-31",
    "@0", "@1735689600", "@ 5", "@+5", "@-5", "@1735689600 Asia/Makassar", "@1h", "@1.5", "@", "*-*-* ", " 12:00",
    "Mon,  12:00", "Mon,", "Mon..", "Mon...Wed", "Sun..Mon", "Mon-Wed,Fri", "Mond", "Fry", "12:00 WITA", "12:00 CET",
    "12:00 CEST", "12:00 EST", "12:00 EDT", "12:00 WIB", "12:00 utc", "12:00 UTC UTC", "12:00 Asia/Makasar", "UTC",
    " UTC", "daily Asia/Makassar", "daily utc", "dailyfoo", "daily 12:00", "00..23:00", "*-*-* 24:00", "*:60",
    "*:*:60", "*:*:59.999999", "*:*:59.9999995", "*:*:1.9999995", "*:*:59/2", "*:00:01..01", "*:00:01.5..02",
    "*:00:00/0.25", "*:*:00/0", "1..0:00", "5..0:00", "10..5:00", "*:5..0", "*-*~29", "*-*~28", "*-*~01/2",
    "*~01", "2025~01-01", "2025-01~01", "*-*-*-*", "2025-01-01 12:00:00:00", "12:00:00 +08:00",
    "2025-01-01T12:00:00", "*-*-* *:*:*", "*-*-* *:*:*/0.1", "*:*:*.5", "1,2,3,4,5,6,7,8,9,10,11,12-1 0:0",
    "Mon..Sun", "Mon..Sun *-*-* 00:00", "tue..thu,sat 1..3:0/20", "70-1-1", "69-1-1", "99-12-31", "0-1-1",
    "100-1-1", "2025-1,1,1-1,01 1,1:1", "*-*-1..31/7", "*-1..12/3-1", "2024..2030/2-02-29",
    "@18446744073709551615", "@-18446744073709551615", "@18446744073709551616", "0000002025-01-01", "Mön", "daily\t",
    "*-*-*\t12:00", "*:*:2147.483647", "*:*:2147.483648", "00:00:00/0.0000004", "00:00:00/0.0000005",
    "2025..2199/229-01-01", "2025..2199/228-01-01", "Mon,,Tue", ",Mon", "1..2..3:00", "* * *", "*", "**",
    # systemd accepts a list of up to 241 items.
    ",".join(["1"] * 241) + ":00", ",".join(["1"] * 242) + ":00",
]


def component(rng, low, high, width=2, allow_star=True):
    """One element of a list: N, N..M, N/R, N..M/R, sometimes out of range."""
    roll = rng.random()
    if allow_star and roll < 0.25:
        return "*"

    def number(n):
        return f"{n:0{width}d}" if rng.random() < 0.6 else str(n)
    start = rng.randint(low, high)
    if rng.random() < 0.03:
        start = rng.choice([high + 1, low - 1 if low > 0 else high + 5])
    kind = rng.random()
    if kind < 0.55:
        return number(start)
    if kind < 0.75:
        stop = rng.randint(min(start, high), high) if rng.random() < 0.9 else rng.randint(low, high)
        return f"{number(start)}..{number(stop)}"
    if kind < 0.9:
        return f"{number(start)}/{rng.randint(1, max(1, (high - low) // 2))}"
    stop = rng.randint(min(start, high), high)
    return f"{number(start)}..{number(stop)}/{rng.randint(1, 4)}"


def chain(rng, low, high, width=2):
    first = component(rng, low, high, width)
    if first == "*" or rng.random() < 0.7:
        return first
    return ",".join([first] + [component(rng, low, high, width, allow_star=False) for _ in range(rng.randint(1, 3))])


def seconds(rng):
    roll = rng.random()
    if roll < 0.2:
        return "*"
    if roll < 0.35:
        return rng.choice(["00", "30", "15", "59", "0"])
    if roll < 0.55:
        return f"{rng.randint(0, 59):02d}.{rng.choice(['5', '25', '123456', '1234567', '9999995', '000001'])}"
    if roll < 0.7:
        return f"{rng.randint(0, 58):02d}/{rng.choice(['0.5', '0.25', '1', '2', '15', '0.000001', '30'])}"
    if roll < 0.85:
        start = rng.randint(0, 50)
        return f"{start}..{rng.randint(start, 59)}" + rng.choice(["", "/2", "/0.5"])
    return ",".join(str(rng.randint(0, 59)) for _ in range(rng.randint(2, 4)))


def weekdays(rng):
    names = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
    full = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]

    def name(i):
        text = rng.choice([names, full])[i]
        return rng.choice([text, text.lower(), text.upper()])
    items = []
    for _ in range(rng.randint(1, 3)):
        a = rng.randint(0, 6)
        if rng.random() < 0.4:
            b = rng.randint(a, 6) if rng.random() < 0.93 else rng.randint(0, 6)
            items.append(f"{name(a)}{rng.choice(['..', '..', '-'])}{name(b)}")
        else:
            items.append(name(a))
    text = ",".join(items)
    if rng.random() < 0.05:
        text += ","
    return text


def zone_suffix(rng):
    roll = rng.random()
    if roll < 0.45:
        return ""
    if roll < 0.55:
        return rng.choice([" UTC", " utc"])
    if roll < 0.9:
        return " " + rng.choice(ZONES)
    # The abbreviations of the local zones of the runs, and near misses.
    return " " + rng.choice(["WITA", "WIB", "CET", "CEST", "EST", "EDT", "GMT", "IST", "Asia/Makasar", "Europe/berlin"])


def expression(rng):
    roll = rng.random()
    if roll < 0.05:
        word = rng.choice(["minutely", "hourly", "daily", "weekly", "monthly", "yearly", "annually", "quarterly", "semiannually"])
        return rng.choice([word, word.upper(), word.capitalize()]) + zone_suffix(rng)
    if roll < 0.08:
        return f"@{rng.choice([rng.randint(0, 7_258_118_400), rng.randint(0, 2_000_000_000)])}" + zone_suffix(rng)
    parts = []
    if rng.random() < 0.35:
        parts.append(weekdays(rng))
    date = rng.random()
    if date < 0.35:
        year = rng.choice([chain(rng, 2024, 2030, 4), chain(rng, 0, 99, 2), "*", str(rng.randint(1970, 2199))])
        parts.append(f"{year}-{chain(rng, 1, 12)}{rng.choice(['-', '-', '-', '~'])}{chain(rng, 1, 31 if rng.random() < 0.8 else 28)}")
    elif date < 0.55:
        parts.append(f"{chain(rng, 1, 12)}{rng.choice(['-', '-', '~'])}{chain(rng, 1, 28)}")
    time = rng.random()
    if time < 0.4:
        parts.append(f"{chain(rng, 0, 23)}:{chain(rng, 0, 59)}")
    elif time < 0.85:
        parts.append(f"{chain(rng, 0, 23)}:{chain(rng, 0, 59)}:{seconds(rng)}")
    if not parts:
        parts.append(f"{chain(rng, 0, 23)}:{chain(rng, 0, 59)}")
    text = " ".join(parts) + zone_suffix(rng)
    if rng.random() < 0.06:
        # A typo: a character dropped, doubled or replaced.
        i = rng.randrange(len(text))
        text = rng.choice([text[:i] + text[i + 1:], text[:i] + text[i] + text[i:], text[:i] + rng.choice("x.,:-~/ 9") + text[i + 1:]])
    return text


def generated_expressions():
    rng = random.Random(SEED)
    seen = set()
    result = []
    for text in FIXED:
        if text not in seen:
            seen.add(text)
            result.append(text)
    while len(result) < EXPRESSIONS:
        text = expression(rng)
        if text not in seen:
            seen.add(text)
            result.append(text)
    return result


def blocks(stdout, count):
    """Splits the output of one run into one block per expression: blocks are separated by one empty
    line, and an expression that failed has an empty block."""
    lines = stdout.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    result, index = [], 0
    for number in range(count):
        block = []
        while index < len(lines) and lines[index] != "":
            block.append(lines[index])
            index += 1
        if number < count - 1:
            assert index < len(lines) and lines[index] == "", f"no separator after block {number}"
            index += 1
        result.append(block)
    assert index == len(lines), "output continues after the last block"
    return result


def environment(tz):
    env = dict(os.environ)
    env.pop("TZ", None)
    if tz is not None:
        env["TZ"] = tz
    return env


def run(command, tz):
    return subprocess.run(command, env=environment(tz), capture_output=True, text=True, timeout=900)


def run_both(reference_command, our_command, tz):
    """Runs the two tools side by side (they are independent), and returns both results."""
    processes = [subprocess.Popen(command, env=environment(tz), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                 for command in (reference_command, our_command)]
    results = []
    for process in processes:
        stdout, stderr = process.communicate(timeout=900)
        results.append(subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr))
    return results


def test_kawalctl_calendar_matches_systemd_analyze():
    expressions = generated_expressions()
    assert len(expressions) >= 2000
    differences, compared_forms, compared_times, gave_up = [], 0, 0, set()
    runs = sum(len(bases) for _, bases in RUNS)
    for tz, base_times in RUNS:
        for base in base_times:
            arguments = ["calendar", f"--iterations={ITERATIONS}", f"--base-time={base}", "--", *expressions]
            reference, ours = run_both([SYSTEMD_ANALYZE, *arguments], [str(BIN / "kawalctl"), *arguments], tz)
            assert "Failed to parse --base-time" not in reference.stderr, reference.stderr
            assert "--base-time" not in ours.stderr, ours.stderr
            theirs_blocks = blocks(reference.stdout, len(expressions))
            our_blocks = blocks(ours.stdout, len(expressions))
            for text, theirs, mine in zip(expressions, theirs_blocks, our_blocks):
                theirs = [line for line in theirs if not line.lstrip().startswith("From now:")]
                if theirs != mine:
                    differences.append((tz, base, text, theirs, mine))
                    continue
                if not theirs:
                    continue
                compared_forms += 1
                compared_times += sum(1 for line in theirs if line.lstrip().startswith(("Next elapse:", "Iter. #", "(in UTC):")) and line.split(":", 1)[1].strip() != "never")
            # A rejected expression fails the run, in both tools.
            assert (reference.returncode == 0) == (ours.returncode == 0)
            # Both give up on the same expressions (systemd after 1000 steps: "Infinite loop in calendar calculation").
            theirs_gave_up = set(re.findall(r"^Failed to determine next elapse for '(.*)': ", reference.stderr, re.MULTILINE))
            ours_gave_up = set(re.findall(r"^kawalctl: cannot compute the next elapse of '(.*)': ", ours.stderr, re.MULTILINE))
            assert theirs_gave_up == ours_gave_up, (tz, base)
            gave_up |= theirs_gave_up

    # Which expressions each tool refused to parse (as opposed to giving up computing an elapse):
    # systemd-analyze says so on stderr, kawalctl in its JSON.
    reference = run([SYSTEMD_ANALYZE, "calendar", "--iterations=0", "--", *expressions], None)
    refused_by_systemd = set(re.findall(r"^Failed to parse calendar specification '(.*)': ", reference.stderr, re.MULTILINE))
    report = json.loads(run([str(BIN / "kawalctl"), "calendar", "--json", "--iterations=0", "--", *expressions], None).stdout)
    refused_by_kawalctl = {entry["expression"] for entry in report if not entry["valid"]}
    assert all(entry["error"] for entry in report if not entry["valid"])

    print(f"\n{len(expressions)} expressions ({len(expressions) - len(refused_by_systemd)} valid, {len(refused_by_systemd)} invalid), "
          f"{runs} (TZ, base time) runs of each tool, {ITERATIONS} iterations: {compared_forms} normalised forms and "
          f"{compared_times} times compared; expressions both gave up on from some base time (systemd's 1000-step limit): "
          f"{len(gave_up)}; differences: {len(differences)}")
    for tz, base, text, theirs, mine in differences[:20]:
        print(f"--- TZ={tz} base={base!r} {text!r}\nsystemd-analyze: {theirs}\nkawalctl:        {mine}")
    for text in sorted(refused_by_systemd ^ refused_by_kawalctl)[:20]:
        print(f"--- refused by {'systemd-analyze' if text in refused_by_systemd else 'kawalctl'} only: {text!r}")
    assert not differences
    assert refused_by_systemd == refused_by_kawalctl
    assert len(refused_by_systemd) >= 200, "the generator should produce invalid expressions too"
