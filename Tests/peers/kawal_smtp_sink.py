"""An aiosmtpd handler for the notifier tests: every accepted message is written, as received,
to FOLDER/<n>.eml (written under a temporary name, then renamed, so a reader never sees half).
Recipients whose address starts with "unknown" are refused with 550, as a real server refuses a
mailbox that does not exist.

    PYTHONPATH=Tests/peers python3 -m aiosmtpd -n -l 127.0.0.1:PORT -c kawal_smtp_sink.FolderHandler FOLDER
"""
import itertools
import os


class FolderHandler:
    def __init__(self, folder):
        self.folder = folder
        self.counter = itertools.count(1)
        os.makedirs(folder, exist_ok=True)

    @classmethod
    def from_cli(cls, parser, *args):
        if len(args) != 1:
            parser.error("FolderHandler takes one argument: the folder for received messages")
        return cls(args[0])

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.startswith("unknown"):
            return "550 5.1.1 <%s>: mailbox unavailable" % address
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        number = next(self.counter)
        temporary = os.path.join(self.folder, f".{number}.tmp")
        with open(temporary, "wb") as out:
            out.write(f"X-Envelope-From: {envelope.mail_from}\r\n".encode())
            out.write(f"X-Envelope-To: {','.join(envelope.rcpt_tos)}\r\n".encode())
            out.write(envelope.original_content or envelope.content)
        os.rename(temporary, os.path.join(self.folder, f"{number}.eml"))
        return "250 Message accepted for delivery"
