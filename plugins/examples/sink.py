#!/usr/bin/env python3
"""A complete Kawal plugin in plain Python (standard library only): no Kawal code needed.

kawald starts it with one end of a socketpair as the file descriptor named in KAWAL_PLUGIN_FD
(run on its own, it connects to /run/kawal/plugins.sock instead). The conversation is varlink:
JSON objects, each followed by a NUL byte.

1. We call io.kawal.Plugin.Register with "upgrade": true, naming the job kinds we handle.
2. After kawald's reply the roles turn around: kawald calls us (io.kawal.PluginJobs):
   Run(jobs) -> (results), Ping() -> (), Stop() -> ().

This example appends each job's idempotency key and payload to the file named by SINK, and
skips jobs whose key it has already seen (kawald delivers at least once).

Configure it in kawald.toml:

    [plugins.sink]
    exec = "/usr/bin/python3"
    args = ["/usr/share/doc/kawal/examples/sink.py"]   # where the Debian package puts it
    env = { SINK = "/var/lib/kawal/sink.txt", KINDS = "example.sink" }
"""
import json
import os
import socket
import sys

NAME = os.environ.get("KAWAL_PLUGIN_NAME", "sink")
KINDS = os.environ.get("KINDS", "example.sink").split(",")
SINK = os.environ.get("SINK", "sink.txt")


def connect():
    fd = os.environ.get("KAWAL_PLUGIN_FD")
    if fd is not None:
        return socket.socket(fileno=int(fd))
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.connect(os.environ.get("KAWAL_PLUGIN_SOCKET", "/run/kawal/plugins.sock"))
    return sock


class Connection:
    def __init__(self, sock):
        self.sock = sock
        self.buffer = b""

    def send(self, message):
        self.sock.sendall(json.dumps(message).encode() + b"\0")

    def receive(self):
        while b"\0" not in self.buffer:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise EOFError("kawald closed the connection")
            self.buffer += chunk
        message, self.buffer = self.buffer.split(b"\0", 1)
        return json.loads(message)


def main():
    conn = Connection(connect())
    conn.send({
        "method": "io.kawal.Plugin.Register",
        "parameters": {"name": NAME, "version": "1.0", "protocol_version": 1, "capabilities": KINDS},
        "upgrade": True,
    })
    reply = conn.receive()
    if "error" in reply:
        # "<3>": an error in kawald's log (sd-daemon priority prefix); lines without one are notices.
        print(f"<3>registration refused: {reply['error']} {reply.get('parameters')}", file=sys.stderr)
        return 1
    print(f"<6>registered; lease {reply['parameters']['lease_seconds']} s", file=sys.stderr, flush=True)

    seen = set()
    if os.path.exists(SINK):
        with open(SINK) as existing:
            seen = {line.split("\t", 1)[0] for line in existing}
    with open(SINK, "a") as sink:
        while True:
            call = conn.receive()
            method = call.get("method")
            if method == "io.kawal.PluginJobs.Run":
                results = []
                for job in call["parameters"]["jobs"]:
                    key = job["idempotency_key"]
                    if key not in seen:
                        sink.write(f"{key}\t{job['payload']}\n")
                        seen.add(key)
                    results.append({"id": job["id"], "ok": True})
                sink.flush()
                os.fsync(sink.fileno())
                conn.send({"parameters": {"results": results}})
            elif method == "io.kawal.PluginJobs.Ping":
                conn.send({"parameters": {}})
            elif method == "io.kawal.PluginJobs.Stop":
                conn.send({"parameters": {}})
                return 0
            else:
                conn.send({"error": "org.varlink.service.MethodNotFound", "parameters": {"method": method}})


if __name__ == "__main__":
    sys.exit(main())
