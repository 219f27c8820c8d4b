"""A webhook gateway for the notifier tests, standard library only.

    python3 webhook_receiver.py PORT SECRET_FILE FOLDER [STATUS...]

Verifies X-Kawal-Signature (HMAC-SHA256 over "<X-Kawal-Timestamp>.<body>", constant-time compare)
and refuses timestamps more than 300 s away from its clock, with 401. Otherwise it answers the
given statuses in turn (the last one repeats; default 200; 0 means: say nothing for 10 s, then
drop the connection), and writes each request it answered
with 2xx to FOLDER/<n>.json as {"headers": {...}, "body": {...}}. Every request, whatever the
answer, is appended to FOLDER/requests.log as "<status> <Idempotency-Key>". With --tls CERT KEY
before PORT it serves https. Prints "listening" once ready.

This is also the verification example in docs/notifiers.md.
"""
import hashlib
import hmac
import json
import os
import ssl
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def verify(secret: bytes, timestamp: str, body: bytes, signature: str, now=None, tolerance=300) -> bool:
    if not timestamp.isdigit() or abs((now or time.time()) - int(timestamp)) > tolerance:
        return False
    expected = "sha256=" + hmac.new(secret, timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, signature)


def main():
    args = sys.argv[1:]
    tls = None
    if args and args[0] == "--tls":
        tls = (args[1], args[2])
        args = args[3:]
    port, secret_file, folder = int(args[0]), args[1], args[2]
    statuses = [int(s) for s in args[3:]] or [200]
    secret = open(secret_file, "rb").read().rstrip(b"\r\n")
    os.makedirs(folder, exist_ok=True)
    state = {"answered": 0, "stored": 0}
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            timestamp = self.headers.get("X-Kawal-Timestamp", "")
            signature = self.headers.get("X-Kawal-Signature", "")
            with lock:
                if not verify(secret, timestamp, body, signature):
                    status = 401
                else:
                    status = statuses[min(state["answered"], len(statuses) - 1)]
                    state["answered"] += 1
            with open(os.path.join(folder, "requests.log"), "a") as log:
                log.write(f"{status} {self.headers.get('Idempotency-Key', '')}\n")
            if status == 0:
                time.sleep(10)
                self.close_connection = True
                return
            if 200 <= status < 300:
                with lock:
                    state["stored"] += 1
                    number = state["stored"]
                record = {"headers": dict(self.headers.items()), "body": json.loads(body)}
                path = os.path.join(folder, f"{number}.json")
                with open(path + ".tmp", "w") as out:
                    json.dump(record, out, ensure_ascii=False)
                os.rename(path + ".tmp", path)
            reply = b'{"ok": true}' if 200 <= status < 300 else b'{"ok": false}'
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(reply)))
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(reply)

        def log_message(self, format, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    if tls:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(tls[0], tls[1])
        server.socket = context.wrap_socket(server.socket, server_side=True)
    print("listening", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
