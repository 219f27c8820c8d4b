"""The shipped systemd units and default configuration, checked with systemd's own tools and kawald."""
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from conftest import BIN, ROOT, wait_for_socket

UNITS = ROOT / "packaging" / "systemd"


def units_with_built_binary(tmp):
    """The units as installed, but pointing at the freshly built kawald (verify checks ExecStart exists),
    with the plugin template instantiated for a network-less plugin (sink) and a network one
    (notify-webhook, whose drop-in sits beside it as it would in /usr/lib/systemd/system)."""
    plugin = Path(tmp) / "plugin"
    plugin.write_text("#!/bin/sh\n")
    plugin.chmod(0o755)
    for unit in UNITS.iterdir():
        if unit.is_dir():
            shutil.copytree(unit, Path(tmp) / unit.name)
            continue
        text = unit.read_text().replace("/usr/bin/kawald", str(BIN / "kawald")).replace("/usr/lib/kawal/plugins/%i", str(plugin))
        (Path(tmp) / unit.name).write_text(text)
    template = (Path(tmp) / "kawal-plugin@.service").read_text()
    for instance in ("sink", "notify-webhook"):
        (Path(tmp) / f"kawal-plugin@{instance}.service").write_text(template)
    return sorted(p for p in Path(tmp).iterdir() if p.suffix in (".service", ".socket") and "@." not in p.name)


def exposure(tmp, unit):
    result = subprocess.run(["systemd-analyze", "security", "--offline=true", str(Path(tmp) / unit)],
                            capture_output=True, text=True)
    last = [line for line in result.stdout.splitlines() if "Overall exposure level" in line]
    assert last, result.stdout + result.stderr
    score = float(last[0].split("level for")[1].split(":")[1].split()[0])
    print(f"{unit} exposure: {score}")
    return score


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze not installed")
def test_units_verify_without_complaint():
    with tempfile.TemporaryDirectory() as tmp:
        units = units_with_built_binary(tmp)
        assert {u.name for u in units} >= {"kawald.service", "kawald.socket", "kawald-plugins.socket",
                                          "kawal-plugin@sink.service", "kawal-plugin@notify-webhook.service"}
        result = subprocess.run(["systemd-analyze", "verify", *map(str, units)], capture_output=True, text=True)
        # verify exits 0 even on "ignoring" lines: any stderr output is a finding.
        assert result.stderr == "", result.stderr
        assert result.returncode == 0


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze not installed")
def test_exposure_scores():
    with tempfile.TemporaryDirectory() as tmp:
        units_with_built_binary(tmp)
        assert exposure(tmp, "kawald.service") <= 1.2
        assert exposure(tmp, "kawal-plugin@sink.service") <= 0.5
        # The network drop-in opens the network and nothing more.
        assert exposure(tmp, "kawal-plugin@notify-webhook.service") <= 1.2


def test_unit_settings_the_issue_asks_for():
    service = (UNITS / "kawald.service").read_text().splitlines()
    for setting in ["Type=notify", "ExecReload=/bin/kill -HUP $MAINPID", "Restart=on-failure", "User=kawal",
                    "StateDirectory=kawal", "StateDirectoryMode=0700", "ConfigurationDirectory=kawal", "RuntimeDirectory=kawal/metrics",
                    "UMask=0077", "LoadCredential=kawal:/etc/kawal/credentials"]:
        assert setting in service, setting
    assert any(line.startswith("WatchdogSec=") for line in service)
    # PrivateUsers= would hide callers' real uids and groups from SO_PEERCRED: the roles would break.
    assert not any(line.startswith("PrivateUsers=") for line in service)
    plugin = (UNITS / "kawal-plugin@.service").read_text().splitlines()
    assert "PartOf=kawald.service" in plugin and "PrivateNetwork=yes" in plugin
    sockets = {name: (UNITS / name).read_text().splitlines() for name in ("kawald.socket", "kawald-plugins.socket")}
    assert "FileDescriptorName=control" in sockets["kawald.socket"]
    assert "FileDescriptorName=plugins" in sockets["kawald-plugins.socket"]
    assert "SocketGroup=kawal-plugin" in sockets["kawald-plugins.socket"] and "SocketMode=0660" in sockets["kawald-plugins.socket"]


def test_catalog_defines_exactly_the_message_ids_kawald_uses():
    swift = (ROOT / "Sources/KawalCore/MessageID.swift").read_text()
    in_code = set(re.findall(r'KawalMessageID\(id: "([0-9a-f]{32})"\)', swift))
    catalog = (ROOT / "packaging/catalog/kawal.catalog").read_text()
    in_catalog = re.findall(r"^-- ([0-9a-f]{32})$", catalog, re.MULTILINE)
    assert len(in_code) == 7
    assert sorted(in_catalog) == sorted(in_code)


@pytest.mark.skipif(shutil.which("journalctl") is None, reason="journalctl not installed")
def test_catalog_compiles_with_journalctl():
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "usr/lib/systemd/catalog"
        folder.mkdir(parents=True)
        shutil.copy(ROOT / "packaging/catalog/kawal.catalog", folder)
        subprocess.run(["journalctl", f"--root={tmp}", "--update-catalog"], check=True, capture_output=True)
        listing = subprocess.run(["journalctl", f"--root={tmp}", "--list-catalog"], check=True, capture_output=True, text=True).stdout
        assert listing.count("kawal:") == 7, listing


def test_default_config_mentions_every_key():
    """Every key kawald accepts appears (commented) in the shipped kawald.toml."""
    source = (ROOT / "Sources/KawalDaemon/Configuration.swift").read_text()
    shipped = (ROOT / "packaging/kawald.toml").read_text()
    for table, keys in re.findall(r'reader\.table\(\w+, "?(\w+)"?(?:, key: \w+)?, known: \[([^\]]*)\]', source):
        for key in re.findall(r'"(\w+)"', keys):
            assert re.search(rf"^# ?{key} = ", shipped, re.MULTILINE), f"{table}.{key} is not in packaging/kawald.toml"


def test_default_config_is_accepted_by_kawald():
    with tempfile.TemporaryDirectory() as tmp:
        process = subprocess.Popen([str(BIN / "kawald"), "--config", str(ROOT / "packaging" / "kawald.toml"),
                                    "--state-dir", f"{tmp}/state", "--runtime-dir", f"{tmp}/run"],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        try:
            wait_for_socket(Path(tmp) / "run" / "control.sock", process)
        finally:
            process.terminate()
            process.wait(timeout=10)
        assert process.returncode == 0


def test_what_the_office_server_test_found_stays_fixed():
    """Each of these broke the package under a real systemd (make test-system shows them end to end)."""
    service = (UNITS / "kawald.service").read_text().splitlines()
    plugin = (UNITS / "kawal-plugin@.service").read_text().splitlines()
    # RuntimeDirectory=kawal made systemd chown the sockets' folder, sockets and all, to kawal:kawal.
    assert "RuntimeDirectory=kawal" not in service
    # Without User=, every instance's dynamic account took the template's name, the group kawal-plugin's.
    assert "DynamicUser=yes" in plugin and "User=kawal-plugin-%i" in plugin and "SupplementaryGroups=kawal-plugin" in plugin
    # The backup plugin kawald starts (as kawal) asks for its snapshot on plugins.sock, root:kawal-plugin 0660.
    assert "m kawal kawal-plugin" in (ROOT / "packaging/sysusers.d/kawal.conf").read_text().splitlines()
    # kawald stops the plugins it started; systemd signalling them too made each stop look like a crash.
    assert "KillMode=mixed" in service
    # libdispatch's refused setpriority calls filled the journal at every start.
    assert "SystemCallFilter=~setpriority:0" in service and "SystemCallFilter=~setpriority:0" in plugin
    # The notifiers' arguments come from the admin's file, the one documented way.
    assert "EnvironmentFile=-/etc/kawal/plugins/%i.conf" in plugin
