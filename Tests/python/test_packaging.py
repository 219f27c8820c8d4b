"""The shipped systemd units and default configuration, checked with systemd's own tools and kawald."""
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from conftest import BIN, ROOT, wait_for_socket

UNITS = ROOT / "packaging" / "systemd"


def units_with_built_binary(tmp):
    """The units as installed, but pointing at the freshly built kawald (verify checks ExecStart exists)."""
    for unit in UNITS.iterdir():
        text = unit.read_text().replace("/usr/bin/kawald", str(BIN / "kawald"))
        (Path(tmp) / unit.name).write_text(text)
    return sorted(Path(tmp).iterdir())


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze not installed")
def test_units_verify_without_complaint():
    with tempfile.TemporaryDirectory() as tmp:
        units = units_with_built_binary(tmp)
        result = subprocess.run(["systemd-analyze", "verify", *map(str, units)], capture_output=True, text=True)
        # verify exits 0 even on "ignoring" lines: any stderr output is a finding.
        assert result.stderr == "", result.stderr
        assert result.returncode == 0


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze not installed")
def test_service_exposure_score():
    with tempfile.TemporaryDirectory() as tmp:
        units_with_built_binary(tmp)
        result = subprocess.run(["systemd-analyze", "security", "--offline=true", str(Path(tmp) / "kawald.service")],
                                capture_output=True, text=True)
        last = [line for line in result.stdout.splitlines() if "Overall exposure level" in line]
        assert last, result.stdout + result.stderr
        score = float(last[0].split("level for")[1].split(":")[1].split()[0])
        print(f"kawald.service exposure: {score}")
        assert score <= 2.0


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
