"""`kawalctl nik` against python-stdnum's stdnum.id.nik, the reference for what a valid NIK is."""
import calendar
import json
import random
import re
import subprocess
from pathlib import Path

import stdnum
from stdnum.id import nik as stdnum_nik

from conftest import BIN

SEED = 20240817
# Province and regency codes as stdnum knows them (its numdb file: a province line, then its regencies indented).
LOC = Path(stdnum.__file__).parent / "id" / "loc.dat"


def stdnum_regions():
    provinces, regencies = {}, {}
    province = None
    for line in LOC.read_text().splitlines():
        match = re.match(r'^( *)(\d+) .*name_id="([^"]*)"', line)
        if not match:
            continue
        indent, code, name = match.groups()
        if indent:
            regencies[province + code] = name
        else:
            province = code
            provinces[code] = name
    return provinces, regencies


PROVINCES, REGENCIES = stdnum_regions()
UNKNOWN_PROVINCES = [f"{p:02d}" for p in range(100) if f"{p:02d}" not in PROVINCES]


def two(n):
    return f"{n:02d}"


def number(region, day, month, year, serial):
    return f"{region}{two(day)}{two(month)}{two(year)}{serial:04d}"


def valid_number(rng):
    regency = rng.choice(sorted(REGENCIES))
    year = rng.randrange(100)
    month = rng.randint(1, 12)
    # Both centuries must not be needed: the last day of the month in 19YY works, and 2000 adds Feb 29.
    last = calendar.monthrange(2000 if year == 0 else 1900 + year, month)[1]
    day = rng.randint(1, last) + rng.choice([0, 40])
    return number(regency + two(rng.randint(1, 99)), day, month, year, rng.randint(1, 9999))


def with_separators(rng, digits):
    out = []
    for i, ch in enumerate(digits):
        if i and rng.random() < 0.3:
            out.append(rng.choice([" ", ".", "-", "  ", " - ", "\u00a0", "\u2013", "\u00b7"]))
        out.append(ch)
    return rng.choice(["", " ", "\t", "  "]) + "".join(out) + rng.choice(["", " ", "\t", "\u3000"])


def generated_inputs():
    """Deterministic inputs, about half valid, with every kind of invalid one; no line breaks (one per line)."""
    rng = random.Random(SEED)
    inputs = []

    def add(kind, count, make):
        for _ in range(count):
            inputs.append((kind, make()))

    def replace(text, start, field):
        return text[:start] + field + text[start + len(field):]

    add("valid", 5000, lambda: valid_number(rng))
    add("separators", 800, lambda: with_separators(rng, valid_number(rng)))
    add("full-width digits", 50, lambda: "".join(chr(0xFF10 + int(c)) if rng.random() < 0.5 else c for c in valid_number(rng)))
    add("too short", 300, lambda: valid_number(rng)[: rng.randint(0, 15)])
    add("too long", 300, lambda: valid_number(rng) + "".join(rng.choice("0123456789") for _ in range(rng.randint(1, 4))))
    add("letter", 400, lambda: replace(valid_number(rng), rng.randrange(16), rng.choice("OolIABxZ")))
    add("other character", 200, lambda: replace(valid_number(rng), rng.randrange(16), rng.choice(["/", ",", "+", "_", "\t", "#", "\u0661", "*"])))
    add("unknown province", 400, lambda: replace(valid_number(rng), 0, rng.choice(UNKNOWN_PROVINCES)))
    # stdnum checks the province only: a regency missing from its table is valid.
    add("unknown regency", 300, lambda: (lambda text: replace(text, 2, rng.choice(
        [two(r) for r in range(100) if text[:2] + two(r) not in REGENCIES])))(valid_number(rng)))
    for day in (0, 32, 39, 40, 72, 79, 80, 81, 90, 99):
        add(f"day {two(day)}", 60, lambda day=day: replace(valid_number(rng), 6, two(day)))
    for month in (0, 13, 20, 99):
        add(f"month {two(month)}", 60, lambda month=month: replace(valid_number(rng), 8, two(month)))
    add("Feb 30/31", 200, lambda: replace(valid_number(rng), 6, rng.choice(["30", "31", "70", "71"]) + "02"))
    add("Feb 29", 300, lambda: replace(valid_number(rng), 6, rng.choice(["29", "69"]) + "02" + two(rng.randrange(100))))
    add("31st of a 30-day month", 200, lambda: replace(valid_number(rng), 6, rng.choice(["31", "71"]) + two(rng.choice([4, 6, 9, 11]))))
    add("serial 0000", 300, lambda: replace(valid_number(rng), 12, "0000"))
    add("random digits", 500, lambda: "".join(rng.choice("0123456789") for _ in range(16)))
    inputs += [("empty", ""), ("blank", "   "), ("separators only", " .-. ")]
    assert all("\n" not in text and "\r" not in text for _, text in inputs)
    return inputs


def run_batch(texts):
    result = subprocess.run(
        [str(BIN / "kawalctl"), "nik", "--batch", "--json"],
        input="".join(text + "\n" for text in texts), capture_output=True, text=True, timeout=120,
    )
    assert result.returncode in (0, 1), result.stderr
    lines = result.stdout.split("\n")
    assert lines[-1] == ""
    replies = [json.loads(line) for line in lines[:-1]]
    assert len(replies) == len(texts)
    return replies, result


def test_validity_agrees_with_stdnum_on_generated_numbers():
    inputs = generated_inputs()
    assert len(inputs) >= 10_000
    replies, result = run_batch([text for _, text in inputs])

    disagreements = []
    for (kind, text), reply in zip(inputs, replies):
        expected = stdnum_nik.is_valid(text)
        if reply["valid"] != expected or reply["nik"] != stdnum_nik.compact(text):
            disagreements.append((kind, text, expected, reply["valid"], reply["nik"], reply["error"]))
    shown = "\n".join(f"  {kind}: {text!r} stdnum={expected} kawalctl={got} nik={nik!r} ({error})"
                      for kind, text, expected, got, nik, error in disagreements[:20])
    assert not disagreements, f"{len(disagreements)} of {len(inputs)} inputs disagree with stdnum, e.g.:\n{shown}"

    valid_count = sum(reply["valid"] for reply in replies)
    print(f"{len(inputs)} inputs, {valid_count} valid, {len(inputs) - valid_count} invalid: all agree with stdnum")
    # Every kind of invalid input occurs, and so do both sexes.
    assert 0 < valid_count < len(inputs)
    assert {r["sex"] for r in replies if r["valid"]} == {"female", "male"}
    # One line per input and exit status 1 because some were invalid.
    assert result.returncode == 1
    assert f"{len(inputs) - valid_count} of {len(inputs)} lines are not a valid NIK" in result.stderr


def test_decoding_agrees_with_stdnum():
    rng = random.Random(SEED + 1)
    texts = [valid_number(rng) for _ in range(2000)]
    replies, _ = run_batch(texts)
    for text, reply in zip(texts, replies):
        assert reply["valid"], (text, reply["error"])
        assert reply["birth_date_candidates"][0] == stdnum_nik.get_birth_date(text).isoformat(), text
        assert reply["sex"] == ("female" if int(text[6:8]) > 40 else "male")
        assert reply["province"] == PROVINCES[text[:2]]
        assert reply["regency"].upper().removeprefix("KOTA ") == REGENCIES[text[:4]], text
        assert reply["masked"] == text[:4] + "*" * 10 + text[-2:]
        assert (reply["district_code"], reply["serial"]) == (text[:6], text[12:])


def test_single_number_exit_codes_and_messages():
    kawalctl = str(BIN / "kawalctl")
    # Offline: no kawald listens on this socket, and none is needed.
    ok = subprocess.run([kawalctl, "--socket", "/nonexistent/control.sock", "nik", "5203-0157-0845-0001", "--sex", "male", "--json"],
                        capture_output=True, text=True)
    assert ok.returncode == 0, ok.stderr
    reply = json.loads(ok.stdout)
    assert reply["regency"] == "Lombok Timur" and reply["sex"] == "female"
    assert reply["warnings"] == ["NIK says female (birth day 57 = 17 + 40) but the entered sex is male"]

    bad = subprocess.run([kawalctl, "nik", "520301570845001"], capture_output=True, text=True)
    assert bad.returncode == 1
    assert bad.stdout == ""
    assert bad.stderr == "kawalctl: NIK has 15 digits; expected 16 (spaces, dots and dashes are ignored)\n"

    usage = subprocess.run([kawalctl, "nik", "5203015708450001", "--birth-date", "17-08-1945"], capture_output=True, text=True)
    assert usage.returncode == 2
    assert "expected YYYY-MM-DD" in usage.stderr
