#!/usr/bin/env python3
"""make bench: Kawal beside its anchors, in the same run, with the ratio printed.

1. Sequential io.kawal.Daemon.Ping round trips per second on one connection (kawal-bench),
   next to redis-benchmark PING over a Unix socket with one client. Target: >= 0.8x redis.
2. Cold wall time of `kawalctl status` next to `redis-cli ping` (hyperfine). Target: <= 2x.

The machines are noisy: each measurement runs in alternating rounds and the medians are compared.
"""
import json
import os
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


def main():
    for tool in ("redis-server", "redis-benchmark", "redis-cli", "hyperfine"):
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


if __name__ == "__main__":
    main()
