#!/usr/bin/env python3
"""make bench, backup part: Kawal's backup of a ~1 GiB database beside the standard pipeline
`sqlite3 .backup` -> `zstd -3` -> `age -r`, timed in the same run on the same database.

Kawal's backup is timed end to end as an administrator sees it: `kawalctl backup now` returns when
kawald has taken the VACUUM INTO snapshot and checked it (integrity_check, counts), and the plugin has
compressed (zstd -3, multi-threaded), encrypted (age X25519), re-read and hashed the file and written
the manifest. Target: Kawal's throughput >= 1.0x the pipeline's.

KAWAL_BENCH_BACKUP_MIB sets the database size (default 1024).
"""
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "Benchmarks"))
from scheduler import Daemon  # noqa: E402

BIN = Path(os.environ.get("KAWAL_BIN_DIR", ROOT / ".build" / "release"))
SIZE_MIB = int(os.environ.get("KAWAL_BENCH_BACKUP_MIB", "1024"))


def fill(database, mib):
    """Case-like rows: text that compresses about as real records do, plus some random bytes."""
    db = sqlite3.connect(database)
    db.execute("CREATE TABLE IF NOT EXISTS bench_notes(id INTEGER PRIMARY KEY, village TEXT, note TEXT, scan BLOB)")
    words = "desa dusun akta lahir kartu keluarga bpjs dinsos kunjungan rujukan puskesmas pengaduan selesai".split()
    row = 0
    target = mib * 1024 * 1024
    while os.path.getsize(database) < target:
        batch = []
        for _ in range(2000):
            row += 1
            note = " ".join(words[(row * k) % len(words)] for k in range(1, 60))
            batch.append((f"Desa {row % 250}", note, os.urandom(200)))
        db.executemany("INSERT INTO bench_notes(village, note, scan) VALUES (?, ?, ?)", batch)
        db.commit()
    db.close()


def main():
    with tempfile.TemporaryDirectory(prefix="kawal-bench-backup-") as folder:
        folder = Path(folder)
        subprocess.run(["age-keygen", "-o", str(folder / "key.txt")], check=True, capture_output=True)
        recipient = [l.split(": ")[1] for l in (folder / "key.txt").read_text().splitlines() if "public key" in l][0]
        config = f"""
[backup]
recipients = ["{recipient}"]
keep_last = 100

[plugins.backup]
exec = "{BIN / 'kawal-backup'}"
"""
        daemon = Daemon(folder, config)
        daemon.start()
        database = folder / "state" / "kawal.db"
        daemon.process.terminate()
        daemon.process.wait()
        print(f"generating a {SIZE_MIB} MiB database…", flush=True)
        fill(str(database), SIZE_MIB)
        size = os.path.getsize(database)
        daemon.start()
        env = dict(os.environ, KAWAL_SOCKET=str(folder / "run" / "control.sock"))
        kawalctl = str(BIN / "kawalctl")
        for _ in range(100):
            if "running" in subprocess.run([kawalctl, "plugin", "list"], env=env, capture_output=True, text=True).stdout:
                break
            time.sleep(0.1)

        subprocess.run(["sync"])
        started = time.monotonic()
        pipeline = subprocess.run(
            f"sqlite3 '{database}' \".backup '{folder}/pipeline.db'\" && zstd -3 -q -c '{folder}/pipeline.db' | age -r {recipient} > '{folder}/pipeline.db.zst.age'",
            shell=True)
        pipeline_seconds = time.monotonic() - started
        assert pipeline.returncode == 0
        os.unlink(folder / "pipeline.db")

        subprocess.run(["sync"])
        started = time.monotonic()
        kawal = subprocess.run([kawalctl, "backup", "now"], env=env, capture_output=True, text=True)
        kawal_seconds = time.monotonic() - started
        assert kawal.returncode == 0, kawal.stderr
        kawal_size = os.path.getsize(kawal.stdout.strip())
        pipeline_size = os.path.getsize(folder / "pipeline.db.zst.age")

        mib = size / (1024 * 1024)
        print(f"database: {mib:.0f} MiB")
        print(f"pipeline sqlite3 .backup | zstd -3 | age -r: {pipeline_seconds:.2f} s, {mib / pipeline_seconds:.1f} MiB/s, {pipeline_size / 1048576:.1f} MiB written")
        print(f"kawal backup now (VACUUM INTO, integrity_check, zstd -3 x2 threads, age, re-read): {kawal_seconds:.2f} s, {mib / kawal_seconds:.1f} MiB/s, {kawal_size / 1048576:.1f} MiB written")
        print(f"ratio (kawal throughput / pipeline throughput): {pipeline_seconds / kawal_seconds:.2f}x (target >= 1.0x)")
        daemon.process.terminate()
        daemon.process.wait()


if __name__ == "__main__":
    main()
