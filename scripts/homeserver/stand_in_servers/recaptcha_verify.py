#!/usr/bin/env python3
"""Stand-in for Google's reCAPTCHA `siteverify` endpoint, for the rig's
`captcha` Synapse variant (`recaptcha_siteverify_api` points here). Only
Google's side is faked: Synapse stays real.

    python3 recaptcha_verify.py --port 18126 --secret KEY

POST /siteverify (form: secret, response, remoteip) answers
{"success": true} when `secret` is the configured private key and
`response` is `captcha-ok` (what a person solving the widget would send),
{"success": false, "error-codes": [...]} otherwise. Standard library only.
"""

import argparse
import json
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

SOLVED = "captcha-ok"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--secret", required=True)
    args = parser.parse_args()

    class Verify(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            form = urllib.parse.parse_qs(self.rfile.read(length).decode())
            secret = form.get("secret", [""])[0]
            response = form.get("response", [""])[0]
            if secret != args.secret:
                answer = {"success": False, "error-codes": ["invalid-input-secret"]}
            elif response != SOLVED:
                answer = {"success": False, "error-codes": ["invalid-input-response"]}
            else:
                answer = {"success": True, "hostname": "localhost"}
            body = json.dumps(answer).encode()
            self.send_response(200 if self.path == "/siteverify" else 404)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            pass

    ThreadingHTTPServer(("127.0.0.1", args.port), Verify).serve_forever()


if __name__ == "__main__":
    main()
