#!/usr/bin/env python3
"""Stand-in for an identity service that texts validation codes, for the
rig's `msisdn` Synapse variant (`account_threepid_delegates.msisdn` points
here). Only the phone company's side is faked: Synapse stays real and
proxies to these endpoints of the identity service API (v1 paths, as
Synapse calls them):

    POST /_matrix/identity/api/v1/validate/msisdn/requestToken
    POST /_matrix/identity/api/v1/validate/msisdn/submitToken
    GET  /_matrix/identity/api/v1/3pid/getValidated3pid?sid=&client_secret=

    python3 msisdn_identity.py --port 18127 --dir DIR

The "text message" is a file DIR/<digits of phone_number>.code holding the code, which a test
reads as a person reads their phone. Standard library only.
"""

import argparse
import json
import secrets
import threading
import time
import urllib.parse
from http.server import ThreadingHTTPServer
from pathlib import Path

from json_http import JsonHandler  # this directory is on sys.path: it holds this script

V1 = "/_matrix/identity/api/v1"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--dir", type=Path, required=True)
    args = parser.parse_args()
    args.dir.mkdir(parents=True, exist_ok=True)
    sessions: dict[str, dict] = {}  # sid -> msisdn, client_secret, code, validated_at
    lock = threading.Lock()

    def request_token(body: dict) -> tuple[int, dict]:
        digits = "".join(ch for ch in str(body.get("phone_number", "")) if ch.isdigit())
        code = f"{secrets.randbelow(10**6):06d}"
        sid = secrets.token_hex(8)
        with lock:
            sessions[sid] = {"msisdn": body.get("phone_number", ""), "client_secret": body.get("client_secret"),
                             "code": code, "validated_at": None}
        (args.dir / f"{digits}.code").write_text(code + "\n")
        return 200, {"sid": sid, "msisdn": body.get("phone_number", ""), "intl_fmt": body.get("phone_number", "")}

    def submit_token(body: dict) -> tuple[int, dict]:
        with lock:
            session = sessions.get(body.get("sid", ""))
            right = (session is not None and session["client_secret"] == body.get("client_secret")
                     and session["code"] == body.get("token"))
            if right:
                session["validated_at"] = int(time.time() * 1000)
        if not right:
            return 400, {"errcode": "M_TOKEN_INCORRECT", "error": "wrong code", "success": False}
        return 200, {"success": True}

    def validated(query: dict) -> tuple[int, dict]:
        with lock:
            session = sessions.get(query.get("sid", [""])[0])
            if (session is None or session["validated_at"] is None
                    or session["client_secret"] != query.get("client_secret", [""])[0]):
                return 400, {"errcode": "M_SESSION_NOT_VALIDATED", "error": "not validated"}
            return 200, {"medium": "msisdn", "address": session["msisdn"], "validated_at": session["validated_at"]}

    class IdentityService(JsonHandler):
        def do_POST(self) -> None:
            body = json.loads(self.read_body() or b"{}")
            routes = {f"{V1}/validate/msisdn/requestToken": request_token,
                      f"{V1}/validate/msisdn/submitToken": submit_token}
            route = routes.get(self.path)
            self.answer(*(route(body) if route else (404, {"errcode": "M_UNRECOGNIZED", "error": self.path})))

        def do_GET(self) -> None:
            url = urllib.parse.urlsplit(self.path)
            if url.path == f"{V1}/3pid/getValidated3pid":
                self.answer(*validated(urllib.parse.parse_qs(url.query)))
            else:
                self.answer(404, {"errcode": "M_UNRECOGNIZED", "error": url.path})

    ThreadingHTTPServer(("127.0.0.1", args.port), IdentityService).serve_forever()


if __name__ == "__main__":
    main()
