"""A real systemd as PID 1, booted in fresh namespaces over a throw-away overlay of the root.

    with Machine.boot() as machine:
        machine.run("systemctl", "is-system-running")

Everything the machine writes (/etc, /var, /run, /tmp) lands in a tmpfs that disappears with it;
the host's root is only the overlay's read-only lower layer. boot.sh says why each step is there:
systemd booted over the bare root would empty the real /tmp and write the real /etc.
"""
import os
import shlex
import signal
import subprocess
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


class CommandFailed(AssertionError):
    pass


class Machine:
    def __init__(self, unshare, pid, base):
        self.unshare = unshare
        self.pid = pid
        self.base = base

    @classmethod
    def boot(cls, unit="basic.target", shared=(), timeout=60):
        """Boots the machine; each folder in `shared` is seen inside, read-only, at the same path."""
        base = tempfile.mkdtemp(prefix="kawal-system-")
        unshare = subprocess.Popen(
            ["unshare", "--fork", "--pid", "--mount", "--net", "--uts", "--ipc", "--propagation", "private",
             "sh", str(HERE / "boot.sh"), base, unit, *(str(Path(folder).resolve()) for folder in shared)],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        deadline = time.monotonic() + 10
        pid = None
        while pid is None:
            children = Path(f"/proc/{unshare.pid}/task/{unshare.pid}/children")
            text = children.read_text().split() if children.exists() else []
            if text:
                pid = int(text[0])
            elif unshare.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"unshare exited with {unshare.returncode} before systemd started")
            else:
                time.sleep(0.02)
        machine = cls(unshare, pid, base)
        try:
            machine.wait_until_running(timeout)
        except BaseException:
            machine.shutdown()
            raise
        return machine

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.shutdown()

    def shutdown(self):
        # SIGKILL to PID 1 of the namespace ends every process in it; the mounts go with the last one.
        try:
            os.kill(self.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        try:
            self.unshare.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.unshare.kill()
        try:
            os.rmdir(self.base)
        except OSError:
            pass

    def wait_until_running(self, timeout):
        deadline = time.monotonic() + timeout
        state = ""
        while time.monotonic() < deadline:
            result = self.run("systemctl", "is-system-running", check=False, timeout=10)
            state = result.stdout.strip()
            if state in ("running", "degraded"):
                return state
            time.sleep(0.2)
        failed = self.run("systemctl", "--failed", "--no-legend", check=False).stdout
        raise RuntimeError(f"the booted systemd is '{state}' after {timeout}s; failed units:\n{failed}")

    def command(self, *argv, user=None):
        """The argv that runs `argv` inside the machine, as root or as `user` (its groups from the machine's /etc/group)."""
        inner = list(argv)
        if user is not None:
            inner = ["setpriv", f"--reuid={user}", f"--regid={user}", "--init-groups", "--"] + inner
        return ["nsenter", "-t", str(self.pid), "-a", "--", "env", "-i", "PATH=/usr/sbin:/usr/bin:/sbin:/bin",
                "LANG=C.UTF-8", "SYSTEMD_PAGER=", "SYSTEMD_COLORS=0"] + inner

    def run(self, *argv, user=None, check=True, timeout=120, input=None):
        result = subprocess.run(self.command(*argv, user=user), capture_output=True, text=True, timeout=timeout, input=input)
        if check and result.returncode != 0:
            who = f" as {user}" if user else ""
            raise CommandFailed(f"{shlex.join(argv)}{who} exited {result.returncode}:\n{result.stdout}\n{result.stderr}")
        return result

    def sh(self, script, **kwargs):
        return self.run("sh", "-ec", script, **kwargs)

    def spawn(self, *argv, user=None, **kwargs):
        """A long-running process inside the machine (a test peer), as a Popen."""
        return subprocess.Popen(self.command(*argv, user=user), **kwargs)

    def write(self, path, text, mode=0o644):
        self.run("install", "-D", "-m", oct(mode)[2:], "/dev/stdin", path, input=text)

    def read(self, path):
        return self.run("cat", path).stdout
