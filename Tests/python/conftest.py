"""Shared fixtures: a real kawald in a temporary folder, started from the built binaries."""
import os
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(os.environ.get("KAWAL_BIN_DIR", ROOT / ".build" / "debug"))


def wait_for_socket(path, process=None, timeout=30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"{process.args[0]} exited with {process.returncode}")
        try:
            with socket.socket(socket.AF_UNIX) as s:
                s.connect(str(path))
                return
        except OSError:
            time.sleep(0.02)
    raise TimeoutError(f"nothing listens on {path} after {timeout}s")


@pytest.fixture
def kawald():
    """Yields the control socket path of a fresh kawald."""
    with tempfile.TemporaryDirectory(prefix="kawal-py-") as tmp:
        run = Path(tmp) / "run"
        log = open(Path(tmp) / "kawald.log", "w")
        process = subprocess.Popen(
            [str(BIN / "kawald"), "--state-dir", f"{tmp}/state", "--runtime-dir", str(run)],
            stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
        )
        try:
            wait_for_socket(run / "control.sock", process)
            yield run / "control.sock"
        finally:
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=10)
            log.close()
