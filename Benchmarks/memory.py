#!/usr/bin/env python3
"""make bench, memory part: the resident memory of an idle kawald holding 10,000 cases.

kawald (the release build) imports 10,000 generated cases with kawalctl, is restarted, answers one
status call, and is left alone for a few seconds; then its RSS is read from /proc, split by what
the pages belong to (the Swift runtime, Foundation, its ICU and internationalisation libraries,
kawald's own code, anonymous memory). Beside it, in the same run, the anchors: an idle
redis-server and the sqlite3 shell holding the same database open. Target: kawald <= 30 MB.
"""
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "Benchmarks"))
import run  # noqa: E402  (the case generator and the kawald helpers of make bench)

CASES = int(os.environ.get("KAWAL_BENCH_MEMORY_CASES", "10000"))
TARGET_MB = 30


def rss_by_mapping(pid):
    """{group: kB} from /proc/PID/smaps (Rss of each mapping), and the total."""
    groups = {}
    current = "anonymous"
    with open(f"/proc/{pid}/smaps") as smaps:
        for line in smaps:
            fields = line.split()
            if fields and "-" in fields[0] and len(fields) >= 5 and not fields[0].endswith(":"):
                path = fields[5] if len(fields) >= 6 else ""
                current = classify(path)
            elif fields and fields[0] == "Rss:":
                groups[current] = groups.get(current, 0) + int(fields[1])
    return groups, sum(groups.values())


def classify(path):
    name = os.path.basename(path)
    if not path or path.startswith("["):
        return "anonymous" if path in ("", "[heap]") else "other"
    if "ICU" in name or "Internationalization" in name:
        return "Foundation ICU and internationalisation"
    if name.startswith(("libFoundation", "libswiftDispatch", "libdispatch", "libBlocksRuntime")):
        return "Foundation and Dispatch"
    if name.startswith(("libswift", "lib_")):
        return "Swift runtime"
    if name == "kawald":
        return "kawald's own code"
    return "system libraries and files"


def rss_kb(pid):
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def main():
    with tempfile.TemporaryDirectory(prefix="kawal-bench-memory-") as tmp:
        state = Path(tmp)
        cases_csv = state / "cases.csv"
        run.IMPORT_ROWS = CASES
        run.write_cases_csv(cases_csv, CASES)
        run.kawal_import_seconds(state, cases_csv)
        kawald = run.start_kawald(state)
        redis = subprocess.Popen(["redis-server", "--port", "0", "--unixsocket", str(state / "redis.sock"), "--save", "", "--appendonly", "no"],
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        sqlite = subprocess.Popen(["sqlite3", str(state / "state" / "kawal.db")], stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                                  stderr=subprocess.DEVNULL, text=True)
        try:
            sqlite.stdin.write("SELECT count(*) FROM caseFile;\n")
            sqlite.stdin.flush()
            subprocess.run([str(run.BIN / "kawalctl"), "--socket", str(state / "run" / "control.sock"), "status"],
                           check=True, capture_output=True)
            time.sleep(5)
            groups, total = rss_by_mapping(kawald.pid)
            redis_kb, sqlite_kb = rss_kb(redis.pid), rss_kb(sqlite.pid)
        finally:
            run.stop(kawald)
            redis.terminate()
            sqlite.terminate()
            redis.wait()
            sqlite.wait()
    print(f"idle kawald with {CASES} cases: RSS {total / 1024:.1f} MB (target <= {TARGET_MB} MB: "
          f"{'met' if total / 1024 <= TARGET_MB else 'NOT met'}); anchors in the same run: idle redis-server {redis_kb / 1024:.1f} MB "
          f"({total / max(redis_kb, 1):.1f}x), sqlite3 shell with the database open {sqlite_kb / 1024:.1f} MB ({total / max(sqlite_kb, 1):.1f}x)")
    for group, kb in sorted(groups.items(), key=lambda item: -item[1]):
        print(f"    {group}: {kb / 1024:.1f} MB")


if __name__ == "__main__":
    main()
