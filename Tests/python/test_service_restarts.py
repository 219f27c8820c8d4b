"""What the office server showed under a real systemd, each reproduced without one.

- A restarted kawald stopped itself the moment it was ready: stopping, the one before had shut
  down (shutdown(2)) the listening plugin socket that systemd hands every kawald, so the next
  one's accept failed at once and its plugin-socket service ended, taking kawald down with it.
- A caller's groups came from the group database, not from the caller: a systemd DynamicUser with
  SupplementaryGroups= (every kawal-plugin@NAME unit) was refused. kawald reads SO_PEERGROUPS now.
"""
import grp
import json
import os
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

from conftest import BIN, wait_for_socket


def listening_socket(path):
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(str(path))
    listener.listen(16)
    return listener


def start_activated(tmp, control, plugins, log):
    """kawald as systemd starts it: both sockets inherited as fds 3 and 4, named control and plugins."""
    env = dict(os.environ, LISTEN_FDS="2", LISTEN_FDNAMES="control:plugins")
    env.pop("NOTIFY_SOCKET", None)
    os.set_inheritable(control.fileno(), True)
    os.set_inheritable(plugins.fileno(), True)

    def as_fds_3_and_4():
        os.dup2(control.fileno(), 3)
        os.dup2(plugins.fileno(), 4)

    # LISTEN_PID must be kawald's own pid: a shell sets it, then becomes kawald.
    return subprocess.Popen(
        ["sh", "-c", 'LISTEN_PID=$$ exec "$0" "$@"', str(BIN / "kawald"), "--state-dir", f"{tmp}/state", "--runtime-dir", f"{tmp}/run"],
        env=env, pass_fds=(3, 4), preexec_fn=as_fds_3_and_4, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)


def call(path, method, parameters=None):
    with socket.socket(socket.AF_UNIX) as client:
        client.settimeout(10)
        client.connect(str(path))
        client.sendall(json.dumps({"method": method, "parameters": parameters or {}}).encode() + b"\0")
        reply = b""
        while not reply.endswith(b"\0"):
            chunk = client.recv(65536)
            if not chunk:
                raise ConnectionError(f"{path} closed the connection")
            reply += chunk
        return json.loads(reply[:-1])


def test_a_kawald_started_on_the_sockets_of_the_one_before_keeps_serving_plugins():
    with tempfile.TemporaryDirectory(prefix="kawal-restart-") as tmp:
        control_path, plugins_path = Path(tmp) / "control.sock", Path(tmp) / "plugins.sock"
        control, plugins = listening_socket(control_path), listening_socket(plugins_path)
        log = open(Path(tmp) / "kawald.log", "w+")
        try:
            for generation in (1, 2, 3):
                kawald = start_activated(tmp, control, plugins, log)
                try:
                    wait_for_socket(control_path, kawald)
                    assert call(control_path, "io.kawal.Daemon.Status")["parameters"]["pid"] == kawald.pid
                    time.sleep(1)
                    assert kawald.poll() is None, f"kawald #{generation} stopped by itself:\n{Path(tmp, 'kawald.log').read_text()}"
                    # Something answers on the plugin socket: the registration protocol refuses a call that is not Register.
                    answer = call(plugins_path, "org.varlink.service.GetInfo")
                    assert "error" in answer, answer
                finally:
                    kawald.send_signal(signal.SIGTERM)
                    assert kawald.wait(timeout=20) == 0
        finally:
            log.close()
            control.close()
            plugins.close()


@pytest.mark.skipif(os.geteuid() != 0, reason="acting as another user with chosen groups needs root (setpriv)")
def test_roles_come_from_the_callers_own_groups(kawald_with_access):
    socket_path, admin_group = kawald_with_access
    # nobody is in no group of the database; only the process carries the group, as a
    # DynamicUser= with SupplementaryGroups= does.
    assert "nobody" not in grp.getgrnam(admin_group).gr_mem
    gid = grp.getgrnam(admin_group).gr_gid
    as_member = subprocess.run(["setpriv", "--reuid=nobody", "--regid=nogroup", f"--groups={gid}",
                                str(BIN / "kawalctl"), "--socket", str(socket_path), "status", "--json"],
                               capture_output=True, text=True)
    assert as_member.returncode == 0, as_member.stderr
    assert json.loads(as_member.stdout)["role"] == "admin"
    stranger = subprocess.run(["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups",
                               str(BIN / "kawalctl"), "--socket", str(socket_path), "status", "--json"],
                              capture_output=True, text=True)
    refusal = stranger.stdout + stranger.stderr
    assert stranger.returncode == 1 and "kawal-test-handlers (case handlers) or adm (administrators)" in refusal, refusal


@pytest.fixture
def kawald_with_access():
    admin_group = "adm"
    with tempfile.TemporaryDirectory(prefix="kawal-roles-") as tmp:
        os.chmod(tmp, 0o755)
        config = Path(tmp) / "kawald.toml"
        config.write_text(f'[access]\nadmin_group = "{admin_group}"\nhandler_group = "kawal-test-handlers"\n')
        log = open(Path(tmp) / "kawald.log", "w")
        process = subprocess.Popen([str(BIN / "kawald"), "--config", str(config), "--state-dir", f"{tmp}/state",
                                    "--runtime-dir", f"{tmp}/run"], stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        try:
            wait_for_socket(Path(tmp) / "run" / "control.sock", process)
            yield Path(tmp) / "run" / "control.sock", admin_group
        finally:
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=10)
            log.close()
