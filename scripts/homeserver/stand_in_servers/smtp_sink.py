#!/usr/bin/env python3
"""SMTP sink for the mxreg test rig: stores every received message as a .eml file.

Run with the rig's virtualenv python (it needs aiosmtpd), e.g.

    .homeserver/venv/bin/python scripts/homeserver/stand_in_servers/smtp_sink.py --port 18125 --dir DIR

Each message is written atomically to DIR/<time_ns>-<seq>.eml (raw RFC 822
bytes as received), preceded by two headers recording the envelope:
X-Sink-Mail-From and X-Sink-Rcpt-Tos. Stops cleanly on SIGTERM / SIGINT.
"""

import argparse
import asyncio
import itertools
import os
import signal
import sys
import time

from aiosmtpd.smtp import SMTP


class Sink:
    def __init__(self, directory: str):
        self.directory = directory
        self.seq = itertools.count()

    async def handle_DATA(self, server, session, envelope):
        content = envelope.original_content or envelope.content
        if isinstance(content, str):
            content = content.encode("utf-8", "surrogateescape")
        head = (f"X-Sink-Mail-From: {envelope.mail_from}\r\n"
                f"X-Sink-Rcpt-Tos: {', '.join(envelope.rcpt_tos)}\r\n").encode()
        name = f"{time.time_ns()}-{next(self.seq):05d}.eml"
        tmp = os.path.join(self.directory, "." + name + ".tmp")
        with open(tmp, "wb") as fh:
            fh.write(head + content)
        os.rename(tmp, os.path.join(self.directory, name))
        print(f"stored {name} from {envelope.mail_from} to {envelope.rcpt_tos}", flush=True)
        return "250 Message accepted for delivery"


async def serve(host: str, port: int, directory: str) -> None:
    loop = asyncio.get_running_loop()
    sink = Sink(directory)
    server = await loop.create_server(lambda: SMTP(sink, hostname="localhost"), host, port)
    print(f"SMTP sink listening on {host}:{port}, writing to {directory}", flush=True)
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    server.close()
    await server.wait_closed()
    print("SMTP sink stopped", flush=True)


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=18125)
    p.add_argument("--dir", required=True, help="directory for the .eml files")
    args = p.parse_args()
    os.makedirs(args.dir, exist_ok=True)
    asyncio.run(serve(args.host, args.port, args.dir))
    return 0


if __name__ == "__main__":
    sys.exit(main())
