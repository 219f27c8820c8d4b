"""An upgrade, as an office does it: the package of an earlier Kawal (one schema migration behind)
installed and used, then this tree's package installed over it; then removed, then purged.

Runs on a machine of its own (machine.py), after test_office_server.py's. `make test-system`
builds the earlier package (KAWAL_UPGRADE_FROM_DEB) from the commit the Makefile names.
"""
import json
import os
import re
from pathlib import Path

import pytest

from machine import Machine

ROOT = Path(__file__).resolve().parents[2]

DEB = os.path.abspath(os.environ["KAWAL_DEB"]) if os.environ.get("KAWAL_DEB") else None
FROM_DEB = os.path.abspath(os.environ["KAWAL_UPGRADE_FROM_DEB"]) if os.environ.get("KAWAL_UPGRADE_FROM_DEB") else None
NIK = "5203015708450001"
# A call on the plugin socket: kawald answers it (with an error: a plugin must register first).
PLUGIN_SOCKET_PROBE = """
import json, socket
s = socket.socket(socket.AF_UNIX)
s.settimeout(10)
s.connect("/run/kawal/plugins.sock")
s.sendall(json.dumps({"method": "org.varlink.service.GetInfo", "parameters": {}}).encode() + b"\\0")
reply = b""
while not reply.endswith(b"\\0"):
    chunk = s.recv(65536)
    if not chunk:
        break
    reply += chunk
print(reply.rstrip(b"\\0").decode())
"""

pytestmark = [
    pytest.mark.skipif(os.geteuid() != 0, reason="booting systemd in fresh namespaces needs root"),
    pytest.mark.skipif(not DEB, reason="needs KAWAL_DEB, the package to install: make test-system builds it"),
    pytest.mark.skipif(not FROM_DEB, reason="needs KAWAL_UPGRADE_FROM_DEB, the earlier package (make upgrade-from-deb; "
                                            "a shallow clone lacks the commit it is built from)"),
]


@pytest.fixture(scope="module")
def machine():
    # The source tree (the packages, the test peers) is seen inside at its own path.
    with Machine.boot(shared=[ROOT]) as booted:
        yield booted


def kawalctl(machine, *args):
    return machine.run("kawalctl", *args)


def schema(machine):
    return json.loads(kawalctl(machine, "status", "--json").stdout)["storage"]["schema_version"]


class TestUpgrade:
    state = {}

    def test_1_the_earlier_package_is_used(self, machine):
        machine.run("dpkg", "-i", FROM_DEB)
        machine.run("systemctl", "enable", "--now", "kawald.socket", "kawald-plugins.socket")
        self.state["schema_before"] = schema(machine)
        kawalctl(machine, "handler", "add", "ani", "--name", "Ani Lestari", "--village", "Sembalun")
        person = json.loads(kawalctl(machine, "person", "add", "--name", "Siti Aminah", "--village", "Sembalun", "--nik", NIK,
                                     "--sex", "perempuan", "--birth-date", "1945-08-17", "--json").stdout)["person"]["id"]
        opened = json.loads(kawalctl(machine, "case", "open", "--person", str(person), "--type", "document", "--subtype", "akta_lahir",
                                     "--summary", "Akta kelahiran hilang", "--handler", "ani", "--json").stdout)
        self.state["case"] = opened["case"]["code"]
        self.state["person"] = person
        self.state["key"] = machine.run("sha256sum", "/var/lib/kawal/nik-hash.key").stdout.split()[0]
        # The administrator's own settings, in the conffile.
        config = machine.read("/etc/kawal/kawald.toml")
        machine.write("/etc/kawal/kawald.toml", config.replace('# min_cell = 5', 'min_cell = 3'))

    def test_2_this_package_keeps_records_key_and_config_and_migrates(self, machine):
        # apt keeps a changed conffile unless told otherwise; dpkg asks, so answer as apt does.
        installed = machine.run("dpkg", "-i", "--force-confold", DEB)
        assert "kawal" in installed.stdout
        assert machine.run("systemctl", "is-active", "kawald.service").stdout.strip() == "active", "the upgrade restarted kawald"
        assert machine.run("systemctl", "show", "kawald.service", "-p", "NRestarts", "--value").stdout.strip() == "0"
        for socket_unit in ("kawald.socket", "kawald-plugins.socket"):
            assert machine.run("systemctl", "is-active", socket_unit).stdout.strip() == "active"
        # The sockets are systemd's again, and the plugin socket answers (an earlier kawald, stopping,
        # shut it down; an earlier unit gave it to kawal:kawal).
        assert machine.run("stat", "-c", "%U:%G %a", "/run/kawal/plugins.sock").stdout.split() == ["root:kawal-plugin", "660"]
        assert machine.run("stat", "-c", "%U:%G %a", "/run/kawal/control.sock").stdout.split() == ["root:kawal", "660"]
        answer = machine.run("python3", "-c", PLUGIN_SOCKET_PROBE).stdout
        assert "error" in json.loads(answer), answer
        after = schema(machine)
        assert after > self.state["schema_before"], f"schema {self.state['schema_before']} → {after}: the migrations ran"
        shown = kawalctl(machine, "case", "show", self.state["case"], "--json").stdout
        assert "Akta kelahiran hilang" in shown
        person = json.loads(kawalctl(machine, "person", "show", str(self.state["person"]), "--json").stdout)
        assert person["person"]["name"] == "Siti Aminah"
        # The NIK hash key is the same file: the same NIK still finds the same person.
        assert machine.run("sha256sum", "/var/lib/kawal/nik-hash.key").stdout.split()[0] == self.state["key"]
        # Another spelling of the name, another village: only the NIK's hash can say it is her.
        again = machine.run("kawalctl", "person", "add", "--name", "Siti Aminah Binti Amaq", "--village", "Sajang", "--nik", NIK,
                            check=False)
        assert again.returncode == 1 and re.search(rf"^{self.state['person']}\s+Siti Aminah .* same NIK$", again.stderr, re.MULTILINE), \
            again.stdout + again.stderr
        assert re.search(r"^min_cell = 3$", machine.read("/etc/kawal/kawald.toml"), re.MULTILINE), "the administrator's setting is kept"
        kawalctl(machine, "audit", "verify")

    def test_3_remove_keeps_the_data_and_purge_says_what_it_deletes(self, machine):
        removed = machine.run("dpkg", "--remove", "kawal")
        assert "/var/lib/kawal" in removed.stdout and "'apt purge kawal' deletes them" in removed.stdout, removed.stdout
        machine.run("test", "-s", "/var/lib/kawal/kawal.db")
        machine.run("test", "-f", "/etc/kawal/kawald.toml")
        for unit in ("kawald.service", "kawald.socket", "kawald-plugins.socket"):
            assert machine.run("systemctl", "is-active", unit, check=False).stdout.strip() != "active", f"{unit} outlived its program"
        purged = machine.run("dpkg", "--purge", "kawal")
        assert "deleting /var/lib/kawal" in purged.stdout and "deleting /etc/kawal" in purged.stdout, purged.stdout
        assert machine.run("test", "-e", "/var/lib/kawal", check=False).returncode != 0
        assert machine.run("test", "-e", "/etc/kawal", check=False).returncode != 0
        links = machine.run("sh", "-c", "ls /etc/systemd/system/*.wants/ | grep kawal || true").stdout
        assert links == "", links
