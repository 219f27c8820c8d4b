#!/usr/bin/env python3
"""make bench, inbound part: an SMS arriving to its reply queued, with 10,000 cases.

kawald (the release build) holds 10,000 imported cases. A handler with a phone has planned
follow-ups; for each sample, sms-inbound is run exactly as gammu-smsd runs it (RunOnReceive: the
environment gammu-smsd sets, the inbox file name as argument) with SELESAI, TUNDA or KASUS, and
its wall time is measured from the spawn to its exit: by then kawald has stored the message,
carried the command out and queued the reply (io.kawal.Inbound.Receive answers after that).
Target: p99 <= 100 ms. Beside it, in the same run, the anchor: the sqlite3 shell spawned to make
one durable write to the same database, measured the same way.
"""
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "Benchmarks"))
import run  # noqa: E402  (the case generator and the kawald helpers of make bench)

CASES = int(os.environ.get("KAWAL_BENCH_INBOUND_CASES", "10000"))
SAMPLES = int(os.environ.get("KAWAL_BENCH_INBOUND_SAMPLES", "300"))
TARGET_MS = 100
PHONE = "+6281200000001"


def call(kawalctl, method, parameters):
    result = subprocess.run(kawalctl + ["call", method, json.dumps(parameters)], capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"bench: {method} failed: {result.stderr}")
    return json.loads(result.stdout)


def percentile(samples, fraction):
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def main():
    with tempfile.TemporaryDirectory(prefix="kawal-bench-inbound-") as tmp:
        state = Path(tmp)
        cases_csv = state / "cases.csv"
        run.IMPORT_ROWS = CASES
        run.write_cases_csv(cases_csv, CASES)
        run.kawal_import_seconds(state, cases_csv)
        # One handler sends every message: the rate limit is raised out of the way.
        config = state / "kawald.toml"
        config.write_text("[inbound]\nrate_limit = 10000\n")
        kawald = subprocess.Popen([str(run.BIN / "kawald"), "--config", str(config), "--state-dir", str(state / "state"),
                                   "--runtime-dir", str(state / "run")], stdout=subprocess.DEVNULL, stderr=open(state / "kawald.log", "a"))
        run.wait_for_socket(state / "run" / "control.sock", kawald)
        try:
            socket = state / "run" / "control.sock"
            kawalctl = [str(run.BIN / "kawalctl"), "--socket", str(socket), "--json"]
            handler = call(kawalctl, "io.kawal.Handlers.List", {})["handlers"][0]
            call(kawalctl, "io.kawal.Handlers.Update", {"code": handler["code"], "version": handler["version"], "changes": {"phone": PHONE}})
            cases = call(kawalctl, "io.kawal.Cases.List", {"handler": handler["code"], "open": True, "limit": 500})["cases"]
            followups = []
            for case in cases[:SAMPLES]:
                added = call(kawalctl, "io.kawal.Cases.AddFollowUp", {"case_id": case["id"], "kind": "visit", "due": "+3d"})
                followups.append(added["followup"]["id"])
            plugins_socket = state / "run" / "plugins.sock"
            program = str(run.BIN / "sms-inbound")
            samples = []
            for index in range(SAMPLES):
                followup = followups[index % len(followups)]
                text = [f"SELESAI {followup} sudah ditemui", f"TUNDA {followup} besok", "KASUS"][index % 3]
                if index % 3 == 1 and index >= len(followups):
                    text = "KASUS"
                environment = dict(os.environ, SMS_MESSAGES="1", DECODED_PARTS="0", SMS_1_NUMBER=PHONE, SMS_1_TEXT=text, SMS_1_CLASS="-1")
                start = time.perf_counter()
                result = subprocess.run([program, "--socket", str(plugins_socket), f"IN20261208_010000_{index:05d}_{PHONE}_00.txt"],
                                        env=environment, capture_output=True, text=True)
                samples.append((time.perf_counter() - start) * 1000)
                if result.returncode != 0:
                    sys.exit(f"bench: sms-inbound failed: {result.stderr}")
            queued = call(kawalctl, "io.kawal.Messages.ListInbound", {"limit": 500})["messages"]
            if sum(1 for m in queued if m["reply"]) < SAMPLES or any(m["outcome"] not in ("done", "refused") for m in queued):
                sys.exit("bench: not every message was answered: " + json.dumps(queued[:3]))
            anchor = []
            database = state / "state" / "kawal.db"
            for index in range(SAMPLES):
                start = time.perf_counter()
                subprocess.run(["sqlite3", str(database), "PRAGMA synchronous=FULL; CREATE TABLE IF NOT EXISTS bench(x); INSERT INTO bench VALUES (1);"],
                               check=True, capture_output=True)
                anchor.append((time.perf_counter() - start) * 1000)
        finally:
            run.stop(kawald)
    p50, p99 = statistics.median(samples), percentile(samples, 0.99)
    a50, a99 = statistics.median(anchor), percentile(anchor, 0.99)
    print(f"inbound SMS to reply queued ({CASES} cases, {SAMPLES} messages, sms-inbound as RunOnReceive): "
          f"p50 {p50:.1f} ms, p99 {p99:.1f} ms (target p99 <= {TARGET_MS} ms: {'met' if p99 <= TARGET_MS else 'NOT met'})")
    print(f"  anchor, sqlite3 spawned for one durable write: p50 {a50:.1f} ms, p99 {a99:.1f} ms; "
          f"ratio kawal/anchor p50 {p50 / a50:.2f}, p99 {p99 / a99:.2f}")


if __name__ == "__main__":
    main()
