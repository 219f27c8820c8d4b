"""The Debian package, installed for real on this machine (root): `make test-deb` builds it and runs these.

Skipped in `make test`: the package needs a release build, which takes longer than the rest of CI.
The tests run in order (install, check, remove, purge) on the one machine.
"""
import os
import pwd
import subprocess
import tempfile
from pathlib import Path

import pytest

from conftest import ROOT, wait_for_socket

DEB = os.environ.get("KAWAL_DEB")
pytestmark = [
    pytest.mark.skipif(not DEB, reason="make test-deb builds the package and runs these tests"),
    pytest.mark.skipif(os.geteuid() != 0, reason="installing a package needs root"),
]


def run(*command, check=True):
    result = subprocess.run(command, capture_output=True, text=True)
    if check:
        assert result.returncode == 0, f"{command} exited {result.returncode}:\n{result.stdout}\n{result.stderr}"
    return result


def package_contents():
    return {line.split()[-1].lstrip(".") for line in run("dpkg-deb", "-c", DEB).stdout.splitlines()}


def test_lintian_reports_no_errors():
    result = run("lintian", "--tag-display-limit", "0", DEB, check=False)
    print(result.stdout)
    errors = [line for line in result.stdout.splitlines() if line.startswith("E:")]
    assert errors == [], "\n".join(errors)


def test_binaries_use_the_swift_runtime_the_package_carries():
    with tempfile.TemporaryDirectory() as tmp:
        run("dpkg-deb", "-x", DEB, tmp)
        runtime = Path(tmp) / "usr/lib/kawal/swift"
        assert (runtime / "libswiftCore.so").exists()
        binaries = [Path(tmp) / "usr/bin/kawald", Path(tmp) / "usr/bin/kawalctl"]
        binaries += sorted((Path(tmp) / "usr/lib/kawal/plugins").iterdir())
        for binary in binaries:
            assert run("patchelf", "--print-rpath", str(binary)).stdout.strip() == "/usr/lib/kawal/swift", binary
            linked = subprocess.run(["ldd", str(binary)], capture_output=True, text=True,
                                    env={"PATH": os.environ["PATH"], "LD_LIBRARY_PATH": str(runtime)}).stdout
            assert "/opt/swift" not in linked and "not found" not in linked, f"{binary}:\n{linked}"


def test_package_holds_what_the_units_and_docs_promise():
    contents = package_contents()
    for path in ["/usr/bin/kawald", "/usr/bin/kawalctl", "/usr/lib/kawal/plugins/",
                 "/usr/lib/systemd/system/kawald.service", "/usr/lib/systemd/system/kawald.socket",
                 "/usr/lib/systemd/system/kawald-plugins.socket", "/usr/lib/systemd/system/kawal-plugin@.service",
                 "/usr/lib/sysusers.d/kawal.conf", "/usr/lib/tmpfiles.d/kawal.conf",
                 "/usr/lib/systemd/catalog/kawal.catalog", "/etc/kawal/kawald.toml",
                 "/usr/share/bash-completion/completions/kawalctl", "/usr/share/zsh/vendor-completions/_kawalctl",
                 "/usr/share/fish/vendor_completions.d/kawalctl.fish",
                 "/usr/share/man/man8/kawald.8.gz", "/usr/share/man/man1/kawalctl.1.gz", "/usr/share/man/man5/kawald.toml.5.gz",
                 "/usr/share/doc/kawal/copyright", "/usr/share/doc/kawal/changelog.gz", "/usr/share/doc/kawal/operations.md"]:
        assert path in contents, f"{path} missing from the package"
    # Every executable product under plugins/ is shipped.
    plugins = subprocess.run(["python3", str(ROOT / "packaging/deb/build.py"), "plugins"], capture_output=True, text=True,
                             check=True).stdout.split()
    for plugin in plugins:
        assert f"/usr/lib/kawal/plugins/{plugin}" in contents
    if (ROOT / "templates").is_dir():
        assert any(path.startswith("/usr/share/kawal/templates/") for path in contents)
    conffiles = run("dpkg-deb", "-I", DEB, "conffiles").stdout.split()
    assert conffiles == ["/etc/kawal/kawald.toml"]


def test_sysusers_creates_the_accounts_in_a_root_folder():
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "etc").mkdir()
        run("dpkg-deb", "-x", DEB, tmp)
        run("systemd-sysusers", "--root", tmp)
        passwd = (Path(tmp) / "etc/passwd").read_text()
        group = (Path(tmp) / "etc/group").read_text()
        assert any(line.startswith("kawal:") and line.split(":")[5] == "/var/lib/kawal" for line in passwd.splitlines()), passwd
        for name in ("kawal", "kawal-admin", "kawal-plugin"):
            assert any(line.startswith(name + ":") for line in group.splitlines()), group


def test_install_then_remove_keeps_data_then_purge_deletes_it():
    run("dpkg", "--purge", "kawal", check=False)
    installed = run("dpkg", "-i", DEB)
    print(installed.stdout)
    try:
        # The programs run from /usr/bin, without /opt/swift in the way.
        env = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin"}
        version = subprocess.run(["/usr/bin/kawald", "--version"], capture_output=True, text=True, env=env, check=True).stdout.strip()
        assert version == Path(DEB).name.split("_")[1]
        help_text = subprocess.run(["/usr/bin/kawalctl", "--help"], capture_output=True, text=True, env=env, check=True).stdout
        assert "metrics" in help_text and "status" in help_text
        # postinst made the accounts and the folders the units expect, with the promised modes.
        run("getent", "passwd", "kawal")
        run("getent", "group", "kawal-admin")
        run("getent", "group", "kawal-plugin")
        state = Path("/var/lib/kawal")
        assert state.is_dir() and oct(state.stat().st_mode & 0o777) == "0o700"
        assert Path("/etc/kawal/credentials").is_dir() and oct(Path("/etc/kawal/credentials").stat().st_mode & 0o777) == "0o700"
        for unit in ("kawald.service", "kawald.socket", "kawald-plugins.socket", "kawal-plugin@.service"):
            assert Path("/usr/lib/systemd/system", unit).is_file()
        assert "ExecStart=/usr/bin/kawald" in Path("/usr/lib/systemd/system/kawald.service").read_text()
        # The installed units verify against the installed binaries.
        verify = run("systemd-analyze", "verify", "/usr/lib/systemd/system/kawald.service", "/usr/lib/systemd/system/kawald.socket",
                     "/usr/lib/systemd/system/kawald-plugins.socket", check=False)
        assert verify.stderr == "", verify.stderr
        # The installed daemon runs as its account with the shipped config, on the installed state folder.
        with tempfile.TemporaryDirectory() as run_dir:
            os.chown(run_dir, pwd.getpwnam("kawal").pw_uid, -1)
            daemon = subprocess.Popen(["setpriv", "--reuid=kawal", "--regid=kawal", "--init-groups", "/usr/bin/kawald",
                                       "--config", "/etc/kawal/kawald.toml", "--runtime-dir", run_dir],
                                      stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
            try:
                wait_for_socket(Path(run_dir) / "control.sock", daemon)
                status = subprocess.run(["/usr/bin/kawalctl", "--socket", f"{run_dir}/control.sock", "status", "--json"],
                                        capture_output=True, text=True, env=env, check=True).stdout
                assert '"/var/lib/kawal"' in status
            finally:
                daemon.terminate()
                daemon.wait(timeout=10)
        assert any(state.iterdir()), "kawald made its database in /var/lib/kawal"
        marker = state / "test-marker"
        marker.write_text("case data stands in here")

        removed = run("dpkg", "--remove", "kawal")
        print(removed.stdout)
        assert not Path("/usr/bin/kawald").exists()
        assert marker.exists(), "remove must keep the data"
        assert Path("/etc/kawal/kawald.toml").exists(), "remove keeps the conffile"
        assert "/var/lib/kawal" in removed.stdout
    finally:
        purged = run("dpkg", "--purge", "kawal")
        print(purged.stdout)
    assert not Path("/var/lib/kawal").exists(), "purge deletes the data"
    assert not Path("/etc/kawal").exists()
    assert "deleting /var/lib/kawal" in purged.stdout
