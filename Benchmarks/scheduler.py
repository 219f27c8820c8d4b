#!/usr/bin/env python3
"""make bench, scheduler part: kawald's scheduler with a real plugin, measured in one run.

1. Start-to-READY time and RSS with 1,000,000 pending jobs in the database.
2. Jobs fired and acknowledged per second through a real plugin (kawal-test-plugin). Target >= 50,000/s.
3. Lateness of due jobs at the plugin, p50/p99. Target p99 <= 10 ms.
4. System calls of an idle kawald over 60 s (strace). Target: only watchdog pings.
"""
import json
import os
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "Tests" / "python"))
from conftest import wait_for_socket  # noqa: E402
from strace_counts import WATCHDOG_PING_CYCLE, system_calls  # noqa: E402

BIN = Path(os.environ.get("KAWAL_BIN_DIR", ROOT / ".build" / "release"))
PENDING = int(os.environ.get("KAWAL_BENCH_PENDING", "1000000"))
THROUGHPUT_JOBS = int(os.environ.get("KAWAL_BENCH_JOBS", "1000000"))
IDLE_SECONDS = int(os.environ.get("KAWAL_BENCH_IDLE", "60"))


class Daemon:
    """kawald in a folder, started with a notify socket so READY=1 can be timed."""

    def __init__(self, folder, config=""):
        self.folder = Path(folder)
        (self.folder / "kawald.toml").write_text(config)
        self.notify_path = str(self.folder / "notify.sock")
        self.notify = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.notify.bind(self.notify_path)
        self.process = None

    def start(self):
        env = dict(os.environ, NOTIFY_SOCKET=self.notify_path)
        started = time.monotonic()
        self.process = subprocess.Popen(
            [str(BIN / "kawald"), "--config", str(self.folder / "kawald.toml"), "--state-dir", str(self.folder / "state"),
             "--runtime-dir", str(self.folder / "run")],
            env=env, stdout=subprocess.DEVNULL, stderr=open(self.folder / "kawald.log", "a"))
        self.notify.settimeout(300)
        while True:
            message = self.notify.recv(4096).decode()
            if "READY=1" in message:
                return time.monotonic() - started

    def rss_mib(self):
        for line in open(f"/proc/{self.process.pid}/status"):
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        return 0.0

    def stop(self):
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(timeout=60)

    @property
    def database(self):
        return self.folder / "state" / "kawal.db"


def insert_jobs(database, count, due, kind, key_prefix, payload=lambda i: "{}"):
    db = sqlite3.connect(database)
    stamp = due.strftime("%Y-%m-%d %H:%M:%S.000")
    now = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M:%S.000")
    db.executemany(
        "INSERT INTO job (kind, payload, dueAt, idempotencyKey, state, attempts, createdAt, updatedAt) VALUES (?, ?, ?, ?, 'pending', 0, ?, ?)",
        ((kind, payload(i), stamp, f"{key_prefix}-{i}", now, now) for i in range(count)))
    db.commit()
    db.close()


def count_state(database, state):
    db = sqlite3.connect(database)
    try:
        return db.execute("SELECT count(*) FROM job WHERE state = ?", (state,)).fetchone()[0]
    finally:
        db.close()


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * p / 100))]


def plugin_config(sink, mode):
    return f"""
[scheduler]
lease = "60s"

[plugins.bench]
exec = "{BIN / 'kawal-test-plugin'}"
env = {{ MODE = "{mode}", CAPABILITY = "bench.sink", SINK = "{sink}" }}
"""


def main():
    with tempfile.TemporaryDirectory(prefix="kawal-sched-") as tmp:
        # 1. One million pending jobs, due tomorrow: how long until READY, and how much memory.
        (Path(tmp) / "pending").mkdir()
        daemon = Daemon(Path(tmp) / "pending")
        daemon.start()
        daemon.stop()
        insert_jobs(daemon.database, PENDING, datetime.now(timezone.utc) + timedelta(days=1), "later.sink", "pending")
        ready = daemon.start()
        rss = daemon.rss_mib()
        daemon.stop()
        print(f"{PENDING} pending jobs: start to READY {ready:.2f} s, RSS {rss:.0f} MiB")

        # 2. Throughput: jobs due now, carried out by a real plugin.
        folder = Path(tmp) / "throughput"
        folder.mkdir()
        daemon = Daemon(folder, plugin_config("/dev/null", "ok"))
        daemon.start()
        daemon.stop()
        insert_jobs(daemon.database, THROUGHPUT_JOBS, datetime.now(timezone.utc) - timedelta(seconds=1), "bench.sink", "now")
        daemon.start()
        started = time.monotonic()
        # Whatever the plugin finished before READY reached us is not counted as done in the window.
        done_before = count_state(daemon.database, "done")
        while count_state(daemon.database, "done") < THROUGHPUT_JOBS:
            time.sleep(0.05)
            if time.monotonic() - started > 600:
                break
        elapsed = time.monotonic() - started
        done = count_state(daemon.database, "done")
        daemon.stop()
        rate = (done - done_before) / elapsed
        print(f"throughput through a real plugin: {done - done_before} jobs in {elapsed:.2f} s = {rate:,.0f} jobs/s "
              f"(target >= 50,000/s: {'met' if rate >= 50_000 else 'NOT met'})")

        # 3. Lateness: jobs due at set times over the next seconds; the plugin notes when each arrived.
        folder = Path(tmp) / "lateness"
        folder.mkdir()
        sink = folder / "arrivals"
        daemon = Daemon(folder, plugin_config(sink, "timestamps"))
        daemon.start()
        socket_path = folder / "run" / "control.sock"
        wait_for_socket(socket_path)
        wita = timezone(timedelta(hours=8))
        base = datetime.now(wita).replace(microsecond=0) + timedelta(seconds=3)
        calls = []
        for i in range(500):
            due = base + timedelta(seconds=i // 50)
            calls.append(json.dumps({"method": "io.kawal.Jobs.Enqueue", "parameters": {
                "kind": "bench.sink", "payload": json.dumps({"due_ms": int(due.timestamp() * 1000)}),
                "due": due.strftime("%Y-%m-%dT%H:%M:%S"), "idempotency_key": f"late-{i}"}}))
        with socket.socket(socket.AF_UNIX) as s:
            s.connect(str(socket_path))
            for call in calls:
                s.sendall(call.encode() + b"\0")
                buffer = b""
                while not buffer.endswith(b"\0"):
                    buffer += s.recv(65536)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and (not sink.exists() or len(sink.read_text().splitlines()) < 500):
            time.sleep(0.1)
        daemon.stop()
        lateness = []
        for line in sink.read_text().splitlines():
            key, rest = line.split(" ", 1)
            payload, arrived = rest.rsplit(" ", 1)
            lateness.append(int(arrived) - json.loads(payload)["due_ms"])
        p50, p99 = percentile(lateness, 50), percentile(lateness, 99)
        print(f"lateness of {len(lateness)} due jobs at the plugin: p50 {p50} ms, p99 {p99} ms "
              f"(target p99 <= 10 ms: {'met' if p99 <= 10 else 'NOT met'})")

        # 4. Idle: what an idle kawald does in a minute, with the watchdog on (WATCHDOG_USEC = 10 s:
        # a ping every 5 s). A ping is one wake-up of the event loop: epoll_wait, the timerfd's read,
        # sendto to the notify socket, timerfd_settime for the next one. Anything else is a finding.
        folder = Path(tmp) / "idle"
        folder.mkdir()
        daemon = Daemon(folder)
        os.environ["WATCHDOG_USEC"] = "10000000"
        try:
            daemon.start()
        finally:
            del os.environ["WATCHDOG_USEC"]
        time.sleep(6)  # start-up threads of libdispatch's serial queues end after 5 s idle
        daemon.notify.setblocking(False)
        while True:
            try:
                daemon.notify.recv(4096)
            except BlockingIOError:
                break
        trace = folder / "strace.txt"
        subprocess.run(["timeout", "-s", "INT", str(IDLE_SECONDS), "strace", "-f", "-o", str(trace), "-p", str(daemon.process.pid)],
                       capture_output=True)
        pings = 0
        while True:
            try:
                pings += daemon.notify.recv(4096).count(b"WATCHDOG=1")
            except BlockingIOError:
                break
        daemon.stop()
        calls = system_calls(trace.read_text())
        ping_cycle = WATCHDOG_PING_CYCLE
        total = sum(calls.values())
        other = {name: count for name, count in calls.items() if name not in ping_cycle}
        print(f"idle kawald over {IDLE_SECONDS} s with the watchdog on: {pings} watchdog pings, {total} system calls "
              f"({', '.join(f'{n} {c}' for n, c in sorted(calls.items(), key=lambda x: -x[1]))}); "
              f"target: only watchdog pings: {'met' if not other else 'NOT met: ' + str(other)}")

if __name__ == "__main__":
    main()
