"""kawalctl talks only to kawald: a listener of another account on the socket path gets nothing.

Whoever owns the socket's folder could put a listener there; kawalctl sends case data and acts on
the answers (a restore run as root writes where kawald tells it).
"""
import os
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

from conftest import BIN

LISTENER = """
import socket, sys
server = socket.socket(socket.AF_UNIX)
server.bind(sys.argv[1])
server.listen(1)
client, _ = server.accept()
client.settimeout(5)
try:
    data = client.recv(65536)
except socket.timeout:
    data = b""
open(sys.argv[2], "wb").write(data)
"""


@pytest.mark.skipif(os.geteuid() != 0, reason="a listener of another account needs root (setpriv)")
def test_a_socket_served_by_another_account_gets_nothing():
    with tempfile.TemporaryDirectory(prefix="kawal-trust-") as tmp:
        os.chmod(tmp, 0o777)
        path, received = Path(tmp) / "control.sock", Path(tmp) / "received"
        listener = subprocess.Popen(["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups",
                                     "/usr/bin/python3", "-c", LISTENER, str(path), str(received)])
        try:
            deadline = time.monotonic() + 10
            while not path.exists() and time.monotonic() < deadline:
                time.sleep(0.02)
            time.sleep(0.1)  # bound, then listening
            result = subprocess.run([str(BIN / "kawalctl"), "--socket", str(path), "status"], capture_output=True, text=True, timeout=30)
            assert result.returncode == 3, result.stderr
            assert "not by kawald's account" in result.stderr and "nothing was sent" in result.stderr, result.stderr
        finally:
            listener.wait(timeout=15)
        assert received.read_bytes() == b"", "kawalctl sent nothing to it"
