"""kawald and our varlink library against the reference Python varlink implementation."""
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import varlink
import varlink.tests

from conftest import BIN, wait_for_socket

CERTIFICATION_IDL = Path(varlink.tests.__file__).parent / "org.varlink.certification.varlink"


def test_python_client_calls_kawald(kawald):
    with varlink.Client(address=f"unix:{kawald}") as client:
        with client.open("org.varlink.service") as service:
            info = service.GetInfo()
            assert info["product"] == "kawald"
            assert info["interfaces"][0] == "org.varlink.service"
            assert {"io.kawal", "io.kawal.Daemon", "io.kawal.People", "io.kawal.Cases", "io.kawal.Handlers", "io.kawal.Audit"} <= set(info["interfaces"])
            # Every interface kawald offers parses with the Python reference IDL parser.
            for name in info["interfaces"]:
                varlink.Interface(service.GetInterfaceDescription(name)["description"])
            description = service.GetInterfaceDescription("io.kawal.Daemon")["description"]
            assert "method Ping() -> ()" in description
        # open() fetches and parses the interface description with the Python IDL parser.
        with client.open("io.kawal.Daemon") as daemon:
            assert daemon.Ping() == {}
            status = daemon.Status()
            assert status["storage"]["journal_mode"] == "wal"
            assert status["role"] == "admin"


def test_python_client_sees_standard_errors(kawald):
    with varlink.Client(address=f"unix:{kawald}") as client:
        with client.open("org.varlink.service") as service:
            try:
                service.GetInterfaceDescription("io.kawal.Nothing")
            except varlink.VarlinkError as error:
                assert error.error() == "org.varlink.service.InterfaceNotFound"
                assert error.parameters()["interface"] == "io.kawal.Nothing"
            else:
                raise AssertionError("expected InterfaceNotFound")


def test_our_server_passes_the_certification():
    """The Python package's certification client walks Start, Test01 … Test11, End against us."""
    with tempfile.TemporaryDirectory(prefix="varlink-cert-") as tmp:
        sock = Path(tmp) / "cert.sock"
        server = subprocess.Popen([str(BIN / "varlink-certification-server"), str(sock), str(CERTIFICATION_IDL)],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        try:
            wait_for_socket(sock, server)
            result = subprocess.run(
                [sys.executable, "-m", "varlink.tests.test_certification", "--client", f"--varlink=unix:{sock}"],
                capture_output=True, text=True, timeout=60)
            assert result.returncode == 0, result.stdout + result.stderr
            assert "Certification passed" in result.stdout
        finally:
            server.terminate()
            server.wait(timeout=10)


def test_kawalctl_talks_to_the_python_reference_server():
    """Our client side against the Python server: introspection, plain calls and streamed replies."""
    with tempfile.TemporaryDirectory(prefix="varlink-py-") as tmp:
        sock = Path(tmp) / "py.sock"
        server = subprocess.Popen([sys.executable, "-m", "varlink.tests.test_certification", f"--varlink=unix:{sock}"],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        try:
            wait_for_socket(sock, server)
            kawalctl = [str(BIN / "kawalctl"), "--socket", str(sock)]
            listed = subprocess.run(kawalctl + ["introspect", "--json"], capture_output=True, text=True, timeout=30)
            assert listed.returncode == 0, listed.stderr
            assert "org.varlink.certification" in listed.stdout
            described = subprocess.run(kawalctl + ["introspect", "org.varlink.certification"], capture_output=True, text=True, timeout=30)
            assert "method Test10(client_id: string, mytype: MyType) -> (string: string)" in described.stdout
            started = subprocess.run(kawalctl + ["call", "org.varlink.certification.Start"], capture_output=True, text=True, timeout=30)
            assert '"client_id"' in started.stdout
            # A call out of order is answered with the certification error: exit 1, error on stderr.
            wrong = subprocess.run(kawalctl + ["call", "org.varlink.certification.End", '{"client_id": "nobody"}'],
                                   capture_output=True, text=True, timeout=30)
            assert wrong.returncode == 1
            assert "org.varlink.certification.CertificationError" in wrong.stderr
        finally:
            server.terminate()
            server.wait(timeout=10)
