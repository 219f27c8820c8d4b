#!/usr/bin/env python3
"""make bench: Kawal beside its anchors, in the same run, with the ratio printed.

1. Sequential io.kawal.Daemon.Ping round trips per second on one connection (kawal-bench),
   next to redis-benchmark PING over a Unix socket with one client. Target: >= 0.8x redis.
2. Cold wall time of `kawalctl status` next to `redis-cli ping` (hyperfine). Target: <= 2x.
3. `kawalctl import cases` of a generated 100,000-row KoboToolbox-style CSV (shipped mapping) into a
   fresh kawald, next to `sqlite3 DB ".import --csv FILE t"` of the same file into a plain table.
   Rows per second, wall time of the whole command. Target: >= 0.5x sqlite3. Beside them, the floor
   SQLite itself sets for Kawal's schema: sqlite3 writing the same rows with set-based
   INSERT ... SELECT from the loaded plain table into the tables, indexes, triggers and full-text
   index of Kawal's database (no parsing, no checks, no duplicate search).
4. io.kawal.Cases.ListFollowUps {"overdue": true, "limit": 50} latency (p50/p99) with 1,000,000
   follow-ups in the database (written with sqlite3 into the database of step 3 while kawald is stopped).

The machines are noisy: each measurement runs in alternating rounds and the medians are compared.
"""
import csv
import json
import os
import random
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "Tests" / "python"))
from conftest import wait_for_socket  # noqa: E402  (the one helper for waiting on a socket)

BIN = Path(os.environ.get("KAWAL_BIN_DIR", ROOT / ".build" / "release"))
ROUNDS = int(os.environ.get("KAWAL_BENCH_ROUNDS", "5"))
CALLS = int(os.environ.get("KAWAL_BENCH_CALLS", "100000"))
IMPORT_ROWS = int(os.environ.get("KAWAL_BENCH_IMPORT_ROWS", "100000"))
IMPORT_ROUNDS = int(os.environ.get("KAWAL_BENCH_IMPORT_ROUNDS", "3"))
FOLLOWUPS = int(os.environ.get("KAWAL_BENCH_FOLLOWUPS", "1000000"))
LATENCY_CALLS = int(os.environ.get("KAWAL_BENCH_LATENCY_CALLS", "300"))
MAPPING = ROOT / "packaging" / "import" / "kobo-id.toml"
HANDLERS = ["ani", "budi", "citra", "dewi", "eka"]


def kawal_ping_rate(sock):
    out = subprocess.run([str(BIN / "kawal-bench"), "ping", str(sock), str(CALLS)],
                         check=True, capture_output=True, text=True).stdout
    return float(re.search(r"rate=([0-9.]+)", out).group(1))


def redis_ping_rate(sock):
    out = subprocess.run(["redis-benchmark", "-s", str(sock), "-c", "1", "-n", str(CALLS), "-t", "ping", "-q"],
                         check=True, capture_output=True, text=True).stdout
    rates = [float(m) for m in re.findall(r"PING_\w+: ([0-9.]+) requests per second", out)]
    # The faster of PING_INLINE and PING_MBULK: the stricter anchor.
    return max(rates)


def hyperfine_mean(command, runs=200):
    with tempfile.NamedTemporaryFile(suffix=".json") as export:
        subprocess.run(["hyperfine", "-N", "--warmup", "20", "--runs", str(runs), "--export-json", export.name, command],
                       check=True, capture_output=True, text=True)
        return json.load(open(export.name))["results"][0]["mean"]


def write_cases_csv(path, rows):
    """A KoboToolbox-style export with the shipped mapping's Indonesian headers; the same each run."""
    rng = random.Random(1402)
    villages = ["Sembalun", "Aikmel", "Masbagik", "Selong", "Labuhan Haji", "Pringgabaya", "Sakra", "Terara", "Suela", "Wanasaba"]
    first = ["Siti", "Baiq", "Lalu", "Muhammad", "Nurul", "Ahmad", "Sri", "Dewi", "Rina", "Hadi", "Zainal", "Aminah"]
    last = ["Aisyah", "Hidayat", "Rahman", "Wulandari", "Fitriani", "Saputra", "Kurniawan", "Lestari", "Hasanah", "Maulana"]
    kinds = ["dokumen", "bpjs", "bansos", "kekerasan", "perkawinan_anak", "lainnya"]
    with open(path, "w", newline="") as f:
        out = csv.writer(f)
        out.writerow(["nama", "nik", "jenis_kelamin", "tanggal_lahir", "desa", "dusun", "no_hp", "jenis_kasus", "risiko",
                      "ringkasan", "tanggal_lapor", "pendamping", "_uuid"])
        for i in range(rows):
            sex = rng.choice("LP")
            year, month, day = rng.randint(1940, 2015), rng.randint(1, 12), rng.randint(1, 28)
            nik = "5203%02d%02d%02d%02d%04d" % (rng.randint(1, 20), day + (40 if sex == "P" else 0), month, year % 100, i % 10000)
            out.writerow([f"{rng.choice(first)} {rng.choice(last)} {i}", nik, sex, f"{day:02d}/{month:02d}/{year}", rng.choice(villages),
                          f"Dusun {rng.randint(1, 9)}", f"0812{rng.randint(10000000, 99999999)}", rng.choice(kinds),
                          rng.choice(["rendah", "sedang", "tinggi"]), "Belum punya akta kelahiran, perlu pendampingan ke Dukcapil",
                          f"2025-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}", rng.choice(HANDLERS + [""] * 5), f"uuid-{i}"])


def start_kawald(state):
    process = subprocess.Popen([str(BIN / "kawald"), "--state-dir", str(state / "state"), "--runtime-dir", str(state / "run")],
                               stdout=subprocess.DEVNULL, stderr=open(state / "kawald.log", "a"))
    wait_for_socket(state / "run" / "control.sock", process)
    return process


def stop(process):
    process.send_signal(signal.SIGTERM)
    process.wait(timeout=30)


def kawal_import_seconds(state, cases_csv):
    """Wall time of `kawalctl import cases` into a fresh kawald (with the handlers the file names)."""
    kawald = start_kawald(state)
    try:
        kawalctl = [str(BIN / "kawalctl"), "--socket", str(state / "run" / "control.sock")]
        for code in HANDLERS:
            subprocess.run(kawalctl + ["call", "io.kawal.Handlers.Add", json.dumps({"handler": {"code": code, "name": code.title()}})],
                           check=True, capture_output=True)
        start = time.perf_counter()
        result = subprocess.run(kawalctl + ["import", "cases", str(cases_csv), "--mapping", str(MAPPING), "--json"],
                                capture_output=True, text=True)
        seconds = time.perf_counter() - start
        if result.returncode != 0:
            sys.exit(f"bench: kawalctl import failed: {result.stderr}")
        created = json.loads(result.stdout)["cases_created"]
        if created != IMPORT_ROWS:
            sys.exit(f"bench: kawalctl import opened {created} cases, expected {IMPORT_ROWS}")
        return seconds
    finally:
        stop(kawald)


def sqlite_import_seconds(database, cases_csv):
    start = time.perf_counter()
    subprocess.run(["sqlite3", str(database), f".import --csv {cases_csv} t"], check=True, capture_output=True)
    seconds = time.perf_counter() - start
    count = subprocess.run(["sqlite3", str(database), "SELECT count(*) FROM t"], check=True, capture_output=True, text=True).stdout
    if int(count) != IMPORT_ROWS:
        sys.exit(f"bench: sqlite3 imported {count.strip()} rows, expected {IMPORT_ROWS}")
    return seconds


# The rows of an import, written by SQLite alone: a person, a case, an 'opened' event and, for half
# of them, an 'assigned' event; the triggers fill the full-text index. Pragmas as kawald sets them.
FLOOR_SQL = """
PRAGMA synchronous = FULL; PRAGMA temp_store = MEMORY; PRAGMA secure_delete = ON; PRAGMA cache_size = -65536; PRAGMA foreign_keys = ON;
BEGIN IMMEDIATE;
INSERT INTO person (nik, nikHash, nikWarnings, name, nameKey, sex, birthDate, village, hamlet, phone, createdAt, updatedAt)
  SELECT nik, hex(randomblob(32)), '[]', nama, lower(nama), 'female', '2000-01-01', desa, dusun, no_hp, '2026-01-01 00:00:00.000',
         '2026-01-01 00:00:00.000' FROM src.t ORDER BY rowid;
INSERT INTO caseFile (code, personID, type, status, risk, urgentSafety, village, summary, openedAt, legalHold, version, updatedAt)
  SELECT 'K-2026-' || printf('%06d', rowid), rowid, jenis_kasus, 'new', risiko, 0, desa, ringkasan, '2026-01-01 00:00:00.000', 0, 1,
         '2026-01-01 00:00:00.000' FROM src.t ORDER BY rowid;
INSERT INTO caseEvent (caseID, kind, toValue, at, actor) SELECT rowid, 'opened', 'new', '2026-01-01 00:00:00.000', 'admin' FROM src.t;
INSERT INTO caseEvent (caseID, kind, toValue, at, actor) SELECT rowid, 'assigned', 'ani', '2026-01-01 00:00:00.000', 'admin' FROM src.t WHERE rowid % 2 = 0;
COMMIT;
"""


def schema_floor_seconds(kawal_db, plain_db, floor_db):
    """Wall time of sqlite3 writing the plain table's rows into an empty copy of Kawal's schema."""
    schema = subprocess.run(["sqlite3", str(kawal_db), ".schema"], check=True, capture_output=True, text=True).stdout
    # The full-text index's own tables come with its CREATE VIRTUAL TABLE; sqlite_sequence with AUTOINCREMENT.
    schema = "\n".join(line for line in schema.splitlines()
                       if not line.startswith(("CREATE TABLE sqlite_sequence", "CREATE TABLE IF NOT EXISTS 'searchText_")))
    subprocess.run(["sqlite3", str(floor_db)], input="PRAGMA journal_mode = WAL;\n" + schema, check=True, capture_output=True, text=True)
    start = time.perf_counter()
    subprocess.run(["sqlite3", str(floor_db)], input=f"ATTACH '{plain_db}' AS src;\n" + FLOOR_SQL, check=True, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    count = subprocess.run(["sqlite3", str(floor_db), "SELECT count(*) FROM caseFile"], check=True, capture_output=True, text=True).stdout
    if int(count) != IMPORT_ROWS:
        sys.exit(f"bench: the schema floor wrote {count.strip()} cases, expected {IMPORT_ROWS}")
    floor_db.unlink()
    return seconds


def bench_import(tmp):
    """Returns the state folder of the last Kawal round (IMPORT_ROWS cases), for the follow-up benchmark."""
    cases_csv = tmp / "cases.csv"
    write_cases_csv(cases_csv, IMPORT_ROWS)
    kawal_times, sqlite_times, floor_times = [], [], []
    for round_ in range(IMPORT_ROUNDS):
        state = tmp / f"import-{round_}"
        state.mkdir()
        kawal_times.append(kawal_import_seconds(state, cases_csv))
        sqlite_times.append(sqlite_import_seconds(tmp / f"plain-{round_}.db", cases_csv))
        floor_times.append(schema_floor_seconds(state / "state" / "kawal.db", tmp / f"plain-{round_}.db", tmp / f"floor-{round_}.db"))
        if round_ < IMPORT_ROUNDS - 1:
            shutil.rmtree(state)
    kawal, anchor = IMPORT_ROWS / statistics.median(kawal_times), IMPORT_ROWS / statistics.median(sqlite_times)
    ratio = kawal / anchor
    size = cases_csv.stat().st_size / 1e6
    print(f"CSV import, {IMPORT_ROWS} rows ({size:.1f} MB), {IMPORT_ROUNDS} rounds (median, wall time of the command)")
    print(f"  kawalctl import cases        {kawal:10.0f} rows/s   rounds: {', '.join(f'{t:.2f} s' for t in kawal_times)}")
    print(f"  sqlite3 .import (plain)      {anchor:10.0f} rows/s   rounds: {', '.join(f'{t:.2f} s' for t in sqlite_times)}")
    print(f"  ratio kawalctl/sqlite3       {ratio:10.2f}   (target >= 0.50: {'met' if ratio >= 0.5 else 'NOT met'})")
    floor = IMPORT_ROWS / statistics.median(floor_times)
    print(f"  floor: sqlite3 INSERT..SELECT into Kawal's schema {floor:.0f} rows/s = {floor / anchor:.2f}x .import "
          f"(rounds: {', '.join(f'{t:.2f} s' for t in floor_times)}); kawalctl reaches {kawal / floor:.2f}x of it")
    return tmp / f"import-{IMPORT_ROUNDS - 1}"


def bench_overdue(state):
    """1,000,000 follow-ups, about a third planned and past due, spread over the imported cases."""
    database = state / "state" / "kawal.db"
    start = time.perf_counter()
    subprocess.run(["sqlite3", str(database), f"""
        WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {FOLLOWUPS})
        INSERT INTO followUp (caseID, kind, dueAt, windowHours, status, attempt, version, createdAt)
        SELECT (i % (SELECT max(id) FROM caseFile)) + 1, 'visit',
               strftime('%Y-%m-%d %H:%M:%f', 'now', printf('%+d minutes', (i * 7919) % 525600 - 262800)),
               24, CASE WHEN i % 5 < 2 THEN 'done' ELSE 'planned' END, 1, 1, strftime('%Y-%m-%d %H:%M:%f', 'now')
        FROM n;
        """], check=True, capture_output=True)
    setup = time.perf_counter() - start
    kawald = start_kawald(state)
    try:
        overdue = subprocess.run(["sqlite3", str(database), "SELECT count(*) FROM followUp WHERE status = 'planned' AND dueAt < strftime('%Y-%m-%d %H:%M:%f', 'now')"],
                                 check=True, capture_output=True, text=True).stdout.strip()
        out = subprocess.run([str(BIN / "kawal-bench"), "latency", str(state / "run" / "control.sock"), "io.kawal.Cases.ListFollowUps",
                              json.dumps({"overdue": True, "limit": 50}), str(LATENCY_CALLS)],
                             check=True, capture_output=True, text=True).stdout
        # Each edit of a note replaces the case's entry in the full-text index.
        edits = subprocess.run([str(BIN / "kawal-bench"), "edits", str(state / "run" / "control.sock"), str(IMPORT_ROWS), str(LATENCY_CALLS)],
                               check=True, capture_output=True, text=True).stdout
    finally:
        stop(kawald)
    p50, p99 = percentiles(out)
    print(f"overdue follow-ups, {FOLLOWUPS} in the database ({int(overdue)} planned and past due; written by sqlite3 in {setup:.1f} s)")
    print(f"  ListFollowUps overdue, limit 50, {LATENCY_CALLS} calls: p50 {p50:.2f} ms, p99 {p99:.2f} ms "
          "(each call also appends a synced audit event)")
    p50, p99 = percentiles(edits)
    print(f"  Cases.Update of a note, {LATENCY_CALLS} cases of {IMPORT_ROWS}: p50 {p50:.2f} ms, p99 {p99:.2f} ms "
          "(search index entry replaced, audit event, synced commit)")


def percentiles(out):
    """p50 and p99 from kawal-bench's `calls=N p50_ms=A p99_ms=B max_ms=C` line."""
    return tuple(float(re.search(rf"{key}=([0-9.]+)", out).group(1)) for key in ("p50_ms", "p99_ms"))


def main():
    for tool in ("redis-server", "redis-benchmark", "redis-cli", "hyperfine", "sqlite3"):
        if shutil.which(tool) is None:
            sys.exit(f"bench: {tool} is missing; run 'make deps'")
    with tempfile.TemporaryDirectory(prefix="kawal-bench-") as tmp:
        tmp = Path(tmp)
        kawald = subprocess.Popen([str(BIN / "kawald"), "--state-dir", str(tmp / "state"), "--runtime-dir", str(tmp / "run")],
                                  stdout=subprocess.DEVNULL, stderr=open(tmp / "kawald.log", "w"))
        redis = subprocess.Popen(["redis-server", "--port", "0", "--unixsocket", str(tmp / "redis.sock"),
                                  "--save", "", "--appendonly", "no"], stdout=subprocess.DEVNULL)
        try:
            control = tmp / "run" / "control.sock"
            wait_for_socket(control)
            wait_for_socket(tmp / "redis.sock")

            kawal_rates, redis_rates = [], []
            for _ in range(ROUNDS):
                kawal_rates.append(kawal_ping_rate(control))
                redis_rates.append(redis_ping_rate(tmp / "redis.sock"))
            kawal, anchor = statistics.median(kawal_rates), statistics.median(redis_rates)
            ratio = kawal / anchor
            print(f"ping round trips/s, one connection, {CALLS} calls x {ROUNDS} rounds (median)")
            print(f"  kawald io.kawal.Daemon.Ping  {kawal:10.0f}/s   rounds: {', '.join(f'{r:.0f}' for r in kawal_rates)}")
            print(f"  redis PING (unix, -c 1)      {anchor:10.0f}/s   rounds: {', '.join(f'{r:.0f}' for r in redis_rates)}")
            print(f"  ratio kawald/redis           {ratio:10.2f}   (target >= 0.80: {'met' if ratio >= 0.8 else 'NOT met'})")

            status = hyperfine_mean(f"{BIN / 'kawalctl'} --socket {control} status")
            cli = hyperfine_mean(f"redis-cli -s {tmp / 'redis.sock'} ping")
            cold = status / cli
            print("cold command wall time (hyperfine mean)")
            print(f"  kawalctl status              {status * 1000:10.2f} ms")
            print(f"  redis-cli ping               {cli * 1000:10.2f} ms")
            print(f"  ratio kawalctl/redis-cli     {cold:10.2f}   (target <= 2.00: {'met' if cold <= 2.0 else 'NOT met'})")
        finally:
            kawald.send_signal(signal.SIGTERM)
            redis.send_signal(signal.SIGTERM)
            kawald.wait(timeout=10)
            redis.wait(timeout=10)

        bench_overdue(bench_import(tmp))


if __name__ == "__main__":
    main()
