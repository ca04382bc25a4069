#!/usr/bin/env python3
"""A scripted stand-in homeserver on loopback for the email `submit_url`
case, which no local Synapse does on demand (it mails links): flows
[m.login.email.identity, m.login.dummy]; `requestToken` answers the spec's
example (request_token_response.yaml: sid "123abc", submit_url
".../path/to/submitToken", here on this server); the code CODE posted there
validates the address. The same script as tests/scripted_stages.rs plays
for Rust, for the C, Python and Kotlin suites.

Prints its base URL on the first line of stdout, then serves until stdin
closes (the test ends), a `GET /stop` arrives or 120 s pass. With
`--detach` it serves in a child process of its own and exits at once (for
C tests, which read the URL through popen); stop it with `GET /stop`.
Standard library only.
"""

from __future__ import annotations

import os
import sys
import threading
from http.server import ThreadingHTTPServer
from pathlib import Path
from typing import Any

# The rig's stand-in servers share their JSON handler with this one.
sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts" / "homeserver" / "stand_in_servers"))
from json_http import JsonHandler  # noqa: E402 (after the path it is found on)

CODE = "654321"
SPEC_SID = "123abc"
SPEC_SUBMIT_PATH = "/path/to/submitToken"
EMAIL_STAGE = "m.login.email.identity"
FLOW = [EMAIL_STAGE, "m.login.dummy"]
LIFETIME_S = 120


class Script:
    """What the stand-in remembers between requests."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.client_secret: str | None = None
        self.validated = False
        self.completed: list[str] = []


def route(path: str, body: dict[str, Any], script: Script, base: str) -> tuple[int, dict[str, Any]]:
    if path == "/_matrix/client/v3/register/email/requestToken":
        script.client_secret = body.get("client_secret")
        return 200, {"sid": SPEC_SID, "submit_url": base + SPEC_SUBMIT_PATH}
    if path == SPEC_SUBMIT_PATH:
        right = body.get("sid") == SPEC_SID and body.get("client_secret") == script.client_secret and body.get("token") == CODE
        script.validated |= right
        return 200, {"success": right}
    if path == "/_matrix/client/v3/register":
        return register(body, script)
    return 404, {"errcode": "M_UNRECOGNIZED", "error": "Unrecognized request"}


def register(body: dict[str, Any], script: Script) -> tuple[int, dict[str, Any]]:
    auth = body.get("auth")
    accepted = None
    if isinstance(auth, dict):
        creds = auth.get("threepid_creds") or {}
        if auth.get("type") == EMAIL_STAGE and script.validated and creds.get("sid") == SPEC_SID:
            accepted = EMAIL_STAGE
        elif auth.get("type") == "m.login.dummy":
            accepted = "m.login.dummy"
    if accepted and accepted not in script.completed:
        script.completed.append(accepted)
    if all(stage in script.completed for stage in FLOW):
        return 200, {"user_id": "@scripted:standin", "access_token": "tok", "device_id": "DEV"}
    answer: dict[str, Any] = {"flows": [{"stages": FLOW}], "params": {}, "session": "scripted-session", "completed": script.completed}
    if isinstance(auth, dict) and accepted is None:
        answer.update(errcode="M_UNAUTHORIZED", error="stage not accepted")
    return 401, answer


def main() -> None:
    script = Script()

    class Handler(JsonHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:  # noqa: N802 (http.server's name)
            body = self.read_json()
            with script.lock:
                status, answer = route(self.path.split("?")[0], body, script, base)
            self.answer(status, answer)

        def do_GET(self) -> None:  # noqa: N802 (http.server's name)
            self.send_response(200 if self.path == "/stop" else 404)
            self.send_header("Content-Length", "0")
            self.end_headers()
            if self.path == "/stop":
                stop.set()

    stop = threading.Event()
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    base = f"http://127.0.0.1:{server.server_address[1]}"
    print(base, flush=True)
    if "--detach" in sys.argv[1:]:
        if os.fork() != 0:
            return  # the parent: the caller has the URL
        os.setsid()
        devnull = os.open(os.devnull, os.O_RDWR)
        for fd in (0, 1, 2):
            os.dup2(devnull, fd)
    else:
        threading.Thread(target=lambda: (sys.stdin.read(), stop.set()), daemon=True).start()
    threading.Thread(target=server.serve_forever, daemon=True).start()
    stop.wait(LIFETIME_S)
    server.shutdown()


if __name__ == "__main__":
    main()
