"""Pre-checks (username, availability, token validity), refresh and the
server probe."""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator

import pytest
from support import PASSWORD, homeserver, new_registration_token, unique_username

import mxreg
from mxreg import SignupMethod
from mxreg.auth import DUMMY, TERMS

# Synapse's /register/available allows about one call per second per address,
# and other suites share the servers: let the library wait as it is told.
AVAILABLE_WAIT_S = 30


def test_check_username_needs_no_server() -> None:
    mxreg.check_username("alice")
    mxreg.check_username("alice", "example.org")
    with pytest.raises(mxreg.InvalidArgumentError, match="username"):
        mxreg.check_username("Alice!")
    with pytest.raises(mxreg.InvalidArgumentError):
        mxreg.check_username("a" * 250, "example.org")


def test_username_available_then_taken(open_client: mxreg.Client) -> None:
    username = unique_username("pyavail")
    with mxreg.Client(homeserver("open"), rate_limit_max_wait=AVAILABLE_WAIT_S) as client:
        assert client.username_available(username) is True
        open_client.register(username, PASSWORD, auth={"type": DUMMY})
        assert client.username_available(username) is False
        with pytest.raises(mxreg.InvalidArgumentError):
            client.username_available("Not Valid")


def test_registration_token_validity() -> None:
    token = new_registration_token()
    with mxreg.Client(homeserver("token"), rate_limit_max_wait=AVAILABLE_WAIT_S) as client:
        assert client.registration_token_valid(token) is True
        assert client.registration_token_valid("never-issued") is False
    with mxreg.Client(homeserver("closed")) as closed, pytest.raises(mxreg.ForbiddenError):
        closed.registration_token_valid(token)


def test_refresh_rotates_and_refuses_old_tokens(open_client: mxreg.Client) -> None:
    with open_client.signup(unique_username("pyrefresh"), PASSWORD) as signup:
        signup.start()
        account = signup.require_complete()
    assert account.refresh_token
    first = open_client.refresh(account.refresh_token)
    assert first.access_token and first.access_token != account.access_token
    assert first.refresh_token and first.refresh_token != account.refresh_token
    assert first.expires_in_ms is not None and first.expires_at is not None
    assert first.access_token not in repr(first) and first.refresh_token not in repr(first)
    second = open_client.refresh(first.refresh_token)
    assert second.access_token != first.access_token
    # Two rotations later Synapse has dropped the first refresh token.
    with pytest.raises(mxreg.UnknownTokenError, match="refresh token does not exist"):
        open_client.refresh(account.refresh_token)
    with pytest.raises(mxreg.UnknownTokenError):
        open_client.refresh("syr_garbage")


def test_probe_open_server_offers_legacy_and_guests() -> None:
    found = mxreg.probe_server(homeserver("open"), check_guest_access=True)
    assert found.homeserver_url == homeserver("open")
    assert SignupMethod.LEGACY in found.signup_methods and SignupMethod.GUEST in found.signup_methods
    assert found.auth_info is not None and found.auth_info.flows == ((DUMMY,),)
    assert "versions" in found.details


def test_probe_terms_server_shows_its_flow() -> None:
    found = mxreg.probe_server(homeserver("terms"))
    assert found.auth_info is not None
    assert found.auth_info.flows == ((TERMS, DUMMY),)
    assert "privacy_policy" in found.auth_info.terms_policies()


def test_probe_closed_server_offers_nothing() -> None:
    found = mxreg.probe_server(homeserver("closed"))
    assert found.signup_methods == SignupMethod(0)
    assert found.auth_info is None
    assert "M_FORBIDDEN" in str(found.details.get("registration_refused"))


class _NotMatrix(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        body = b"<html>not a homeserver</html>"
        self.send_response(404)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_POST = do_GET

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def not_matrix_url() -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _NotMatrix)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_probe_refuses_a_server_that_is_not_matrix(not_matrix_url: str) -> None:
    with pytest.raises(mxreg.MxregError) as refused:
        mxreg.probe_server(not_matrix_url)
    assert isinstance(refused.value, (mxreg.InvalidResponseError, mxreg.HttpError))
