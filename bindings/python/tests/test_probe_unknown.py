"""The probe against a scripted stand-in for an OAuth-only homeserver whose
OAuth metadata answers 429 (or answers late): no real server does that on
demand. The others answer as Synapse delegating to an OAuth server does
(`m.login.sso`, registration forbidden). The probe must say it could not
find out the OAuth part, with the code, instead of "SSO only"."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from support import mxreg_cli

import mxreg

AUTH_METADATA = "/_matrix/client/v1/auth_metadata"


class OAuthOnlyServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, metadata_status: int, delay: float) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.metadata_status = metadata_status
        self.delay = delay
        self.seen: list[str] = []

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # a client that gave up (the deadline) hung up on an answer

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: OAuthOnlyServer

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the base class's name
        pass

    def answer(self, status: int, body: object) -> None:
        self.server.seen.append(self.path)
        time.sleep(self.server.delay)
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:
        if self.path == "/_matrix/client/versions":
            self.answer(200, {"versions": ["v1.15"]})
        elif self.path == "/_matrix/client/v3/login":
            self.answer(200, {"flows": [{"type": "m.login.sso"}]})
        elif self.path == AUTH_METADATA:
            self.answer(self.server.metadata_status, {"errcode": "M_LIMIT_EXCEEDED", "retry_after_ms": 0})
        else:
            self.answer(404, {"errcode": "M_NOT_FOUND"})

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", "0")))
        self.answer(403, {"errcode": "M_FORBIDDEN", "error": "Registration has been disabled"})


@pytest.fixture
def rate_limited() -> Iterator[OAuthOnlyServer]:
    yield from _serve(OAuthOnlyServer(429, 0.0))


@pytest.fixture
def slow() -> Iterator[OAuthOnlyServer]:
    yield from _serve(OAuthOnlyServer(429, 2.0))


def _serve(server: OAuthOnlyServer) -> Iterator[OAuthOnlyServer]:
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def test_a_rate_limited_oauth_part_is_unknown_not_missing(rate_limited: OAuthOnlyServer) -> None:
    found = mxreg.probe_server(rate_limited.url, check_guest_access=True)
    assert found.signup_methods == mxreg.SignupMethod.SSO
    assert not found.complete
    (unknown,) = found.unknown
    assert unknown.part == mxreg.ProbePart.OAUTH
    assert unknown.code == mxreg.ResultCode.RATE_LIMITED
    assert "M_LIMIT_EXCEEDED" in unknown.message
    assert found.details["unknown"][0]["part"] == "oauth"
    assert rate_limited.seen.count(AUTH_METADATA) == 1, "a 429 is asked once"


def test_the_cli_exits_3_and_names_the_unknown_part(rate_limited: OAuthOnlyServer) -> None:
    done = mxreg_cli("probe", rate_limited.url)
    assert done.returncode == 3, done.stderr
    assert json.loads(done.stdout)["unknown"][0]["code"] == "MXREG_RESULT_RATE_LIMITED"
    assert "could not find out oauth" in done.stderr


def test_one_deadline_bounds_the_probe(slow: OAuthOnlyServer) -> None:
    started = time.monotonic()
    with pytest.raises(mxreg.RequestTimeoutError):
        # .well-known, then the rest at once: 4 s of answers past a 3 s deadline.
        mxreg.probe_server(slow.url, call_timeout=3)
    assert time.monotonic() - started < 3 + 5
