"""kawald's metrics, end to end: calls made with kawalctl show up in `kawalctl metrics` and in the
node_exporter textfile, with the values a Prometheus scrape would read."""
import json
import os
import re
import signal
import socket
import stat
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

from conftest import BIN, wait_for_socket

PINGS = 7


def sample(text, name, **labels):
    """The value of one series in Prometheus text format, or None."""
    wanted = ",".join(f'{key}="{value}"' for key, value in sorted(labels.items()))
    for line in text.splitlines():
        if line.startswith("#"):
            continue
        match = re.match(r"^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$", line)
        if not match or match.group(1) != name:
            continue
        got = ",".join(sorted(match.group(2).split(","))) if match.group(2) else ""
        if got == wanted:
            return float(match.group(3))
    return None


@pytest.fixture
def daemon():
    with tempfile.TemporaryDirectory(prefix="kawal-metrics-") as tmp:
        # Other accounts must reach the socket to be refused by kawald rather than by the folder.
        os.chmod(tmp, 0o755)
        textfile = Path(tmp) / "collector" / "kawal.prom"
        config = Path(tmp) / "kawald.toml"
        config.write_text(f"""
[metrics]
textfile = "{textfile}"
interval = "1s"

[scheduler]
plugin_crash_limit = 2

[plugins.broken]
exec = "/bin/false"
""")
        log = open(Path(tmp) / "kawald.log", "w")
        process = subprocess.Popen([str(BIN / "kawald"), "--config", str(config), "--state-dir", f"{tmp}/state",
                                    "--runtime-dir", f"{tmp}/run"], stdout=log, stderr=subprocess.STDOUT)
        try:
            wait_for_socket(Path(tmp) / "run" / "control.sock", process)
            yield Path(tmp) / "run" / "control.sock", textfile
        finally:
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=10)
            log.close()


def kawalctl(sock, *arguments, check=True):
    return subprocess.run([str(BIN / "kawalctl"), "--socket", str(sock), *arguments], capture_output=True, text=True, check=check)


def raw_call(sock, method):
    """A call kawalctl would not make: an unknown method, answered with an error."""
    with socket.socket(socket.AF_UNIX) as s:
        s.connect(str(sock))
        s.sendall(json.dumps({"method": method, "parameters": {}}).encode() + b"\0")
        reply = b""
        while not reply.endswith(b"\0"):
            reply += s.recv(65536)
    return json.loads(reply[:-1])


def test_metrics_count_calls_jobs_and_plugin_restarts(daemon):
    sock, textfile = daemon
    for _ in range(PINGS):
        kawalctl(sock, "ping")
    kawalctl(sock, "status")
    assert raw_call(sock, "io.kawal.Daemon.NoSuchMethod")["error"] == "org.varlink.service.MethodNotFound"
    assert raw_call(sock, "com.example.Invented.Method")["error"] == "org.varlink.service.InterfaceNotFound"

    text = kawalctl(sock, "metrics").stdout
    assert sample(text, "kawal_requests_total", method="io.kawal.Daemon.Ping") == PINGS
    assert sample(text, "kawal_request_errors_total", method="io.kawal.Daemon.Ping") == 0
    assert sample(text, "kawal_request_duration_seconds_count", method="io.kawal.Daemon.Ping") == PINGS
    # A ping is answered well inside a second.
    assert sample(text, "kawal_request_duration_seconds_bucket", method="io.kawal.Daemon.Ping", le="2.0") == PINGS
    assert sample(text, "kawal_requests_total", method="io.kawal.Daemon.Status") == 1
    # Invented method names do not become series of their own.
    assert sample(text, "kawal_requests_total", method="other") == 2
    assert sample(text, "kawal_request_errors_total", method="other") == 2
    assert "NoSuchMethod" not in text and "Invented" not in text
    for state in ("pending", "leased", "dead", "stale"):
        assert sample(text, "kawal_jobs", state=state) == 0, state
    assert sample(text, "kawal_start_time_seconds") > 1.7e9

    # The plugin that cannot start is restarted, and counted, until it is marked failed.
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        restarts = sample(kawalctl(sock, "metrics").stdout, "kawal_plugin_restarts_total", plugin="broken")
        if restarts == 2:
            break
        time.sleep(0.2)
    assert restarts == 2

    # The textfile follows within its interval, readable by node_exporter's user, with no temporary left.
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if textfile.exists() and sample(textfile.read_text(), "kawal_plugin_restarts_total", plugin="broken") == 2:
            break
        time.sleep(0.2)
    written = textfile.read_text()
    assert sample(written, "kawal_requests_total", method="io.kawal.Daemon.Ping") == PINGS
    assert sample(written, "kawal_plugin_restarts_total", plugin="broken") == 2
    assert stat.S_IMODE(textfile.stat().st_mode) == 0o644
    assert [p.name for p in textfile.parent.iterdir()] == ["kawal.prom"]

    as_json = json.loads(kawalctl(sock, "metrics", "--json").stdout)
    assert "kawal_requests_total" in as_json["text"]


@pytest.mark.skipif(os.geteuid() != 0, reason="acting as another user needs root (setpriv)")
def test_metrics_need_an_administrator(daemon):
    sock, _ = daemon
    refused = subprocess.run(["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups",
                              str(BIN / "kawalctl"), "--socket", str(sock), "metrics"], capture_output=True, text=True)
    assert refused.returncode == 1, refused.stderr
    assert "kawal_requests_total" not in refused.stdout
