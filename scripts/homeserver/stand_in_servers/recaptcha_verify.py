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
import urllib.parse
from http.server import ThreadingHTTPServer

from json_http import JsonHandler  # this directory is on sys.path: it holds this script

SOLVED = "captcha-ok"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--secret", required=True)
    args = parser.parse_args()

    class Verify(JsonHandler):
        def do_POST(self) -> None:
            form = urllib.parse.parse_qs(self.read_body().decode())
            secret = form.get("secret", [""])[0]
            response = form.get("response", [""])[0]
            if secret != args.secret:
                answer = {"success": False, "error-codes": ["invalid-input-secret"]}
            elif response != SOLVED:
                answer = {"success": False, "error-codes": ["invalid-input-response"]}
            else:
                answer = {"success": True, "hostname": "localhost"}
            self.answer(200 if self.path == "/siteverify" else 404, answer)

    ThreadingHTTPServer(("127.0.0.1", args.port), Verify).serve_forever()


if __name__ == "__main__":
    main()
