"""`Client.register` (one request per call) against the real Synapse
variants: the scenarios of the C suite, plus lifetimes and bad input."""

from __future__ import annotations

import socket
import time

import pytest
from support import PASSWORD, homeserver, rig_variable, unique_username

import mxreg
from mxreg.auth import DUMMY, dummy_auth


def register_with_dummy(client: mxreg.Client, username: str, **kwargs: object) -> mxreg.Registration:
    """The first request, then the dummy stage of the session the server opened."""
    with pytest.raises(mxreg.AuthRequiredError) as challenge:
        client.register(username, PASSWORD, **kwargs)  # type: ignore[arg-type]
    info = challenge.value.auth_info
    assert info is not None
    return client.register(username, PASSWORD, auth=dummy_auth(info.session), **kwargs)  # type: ignore[arg-type]


def test_dummy_stage_through_auth_info(open_client: mxreg.Client) -> None:
    username = unique_username("pyreg")
    with pytest.raises(mxreg.AuthRequiredError) as challenge:
        open_client.register(username, PASSWORD)
    err = challenge.value
    assert err.code is mxreg.ResultCode.AUTH_REQUIRED
    assert err.http_status == 401 and err.errcode is None
    assert err.auth_info is not None and err.auth_info.session
    assert err.auth_info.flows == ((DUMMY,),)
    assert err.body is not None and err.body["session"] == err.auth_info.session

    account = open_client.register(username, PASSWORD, auth=dummy_auth(err.auth_info.session))
    assert account.user_id.startswith(f"@{username}:")
    assert account.localpart == username
    assert account.device_id and account.access_token and account.refresh_token
    assert account.expires_in_ms is not None and 0 < account.expires_in_ms <= 300_000
    assert account.expires_at is not None and account.expires_at.timestamp() > time.time()


def test_tokens_stay_out_of_repr_and_default_dict(open_client: mxreg.Client) -> None:
    account = register_with_dummy(open_client, unique_username("pyrepr"))
    assert account.access_token and account.refresh_token
    for text in (repr(account), str(account), str(account.to_dict())):
        assert account.access_token not in text and account.refresh_token not in text
    assert account.to_dict(show_tokens=True)["access_token"] == account.access_token


def test_taken_username(open_client: mxreg.Client) -> None:
    username = unique_username("pytaken")
    register_with_dummy(open_client, username)
    with pytest.raises(mxreg.UserInUseError) as taken:
        open_client.register(username, PASSWORD, auth={"type": DUMMY})
    assert taken.value.errcode == "M_USER_IN_USE"
    assert taken.value.http_status == 400
    assert isinstance(taken.value, mxreg.ServerError)


def test_invalid_username(open_client: mxreg.Client) -> None:
    with pytest.raises(mxreg.InvalidUsernameError) as invalid:
        open_client.register("Bad Name!", PASSWORD, auth={"type": DUMMY})
    assert invalid.value.errcode == "M_INVALID_USERNAME"


def test_weak_password(open_client: mxreg.Client) -> None:
    with pytest.raises(mxreg.WeakPasswordError) as weak:
        open_client.register(unique_username("pyweak"), "qzqz", auth={"type": DUMMY})
    assert weak.value.errcode is not None and weak.value.errcode.startswith("M_PASSWORD_")
    assert "qzqz" not in str(weak.value) and "qzqz" not in repr(weak.value)


def test_no_refresh_token_when_not_asked(open_client: mxreg.Client) -> None:
    account = register_with_dummy(open_client, unique_username("pynoref"), refresh_token=False)
    assert account.access_token and account.refresh_token is None
    assert account.expires_in_ms is None and account.expires_at is None


def test_inhibit_login(open_client: mxreg.Client) -> None:
    account = register_with_dummy(open_client, unique_username("pyinhibit"), inhibit_login=True)
    assert account.user_id
    assert account.device_id is None and account.access_token is None and account.refresh_token is None


def test_custom_device_id_and_display_name(open_client: mxreg.Client) -> None:
    account = register_with_dummy(open_client, unique_username("pydev"), device_id="PYDEVICE1", device_name="Py bot")
    assert account.device_id == "PYDEVICE1"


def test_guest_and_upgrade(open_client: mxreg.Client) -> None:
    guest = open_client.register_guest()
    assert guest.device_id == "guest_device" and guest.access_token
    assert guest.localpart.isdigit()
    with pytest.raises(mxreg.AuthRequiredError) as challenge:
        open_client.upgrade_guest(guest.access_token, guest.localpart, PASSWORD)
    assert challenge.value.auth_info is not None
    upgraded = open_client.upgrade_guest(
        guest.access_token, guest.localpart, PASSWORD, auth=dummy_auth(challenge.value.auth_info.session)
    )
    assert upgraded.user_id == guest.user_id
    assert upgraded.access_token and upgraded.access_token != guest.access_token


def test_appservice_registration(open_client: mxreg.Client) -> None:
    as_token = rig_variable("MXREG_HS_OPEN_APPSERVICE_TOKEN")
    account = open_client.register(unique_username("mxregbot_py"), appservice_token=as_token)
    assert account.user_id.startswith("@mxregbot_py")
    # inhibit_login is always sent for an application service (spec v1.17).
    assert account.access_token is None and account.device_id is None
    with pytest.raises(mxreg.UnknownTokenError):
        open_client.register(unique_username("mxregbot_py"), appservice_token="not-the-token")


def test_closed_server_forbids() -> None:
    with mxreg.Client(homeserver("closed")) as client, pytest.raises(mxreg.ForbiddenError) as forbidden:
        client.register(unique_username("pyclosed"), PASSWORD)
    assert forbidden.value.errcode == "M_FORBIDDEN" and forbidden.value.http_status == 403


def test_rate_limited_with_a_delay() -> None:
    # burst_count 2 per address: a 429 comes within four quick registrations.
    with mxreg.Client(homeserver("ratelimit")) as client:
        with pytest.raises(mxreg.RateLimitedError) as limited:
            for _ in range(4):
                client.register(unique_username("pylimit"), PASSWORD, auth={"type": DUMMY})
    err = limited.value
    assert err.errcode == "M_LIMIT_EXCEEDED" and err.http_status == 429
    assert err.retry_after_ms is not None and 0 < err.retry_after_ms <= 60_000
    assert err.retry_after == err.retry_after_ms / 1000
    assert err.body is not None and "retry_after_ms" in err.body


def test_rate_limit_wait_option_waits_it_out() -> None:
    with mxreg.Client(homeserver("ratelimit"), rate_limit_max_wait=120) as client:
        # Whatever the burst state, each call waits as the server asks.
        for _ in range(3):
            account = client.register(unique_username("pywait"), PASSWORD, auth={"type": DUMMY})
            assert account.user_id


def test_plain_http_to_a_remote_host_is_refused_without_io() -> None:
    with pytest.raises(mxreg.InsecureUrlError) as refused:
        mxreg.Client("http://matrix.example.org")
    assert refused.value.http_status is None and isinstance(refused.value, mxreg.LocalError)
    # Allowed when asked for (the client does no I/O until a call).
    with mxreg.Client("http://matrix.example.org", allow_insecure_http=True) as client:
        assert client.homeserver_url == "http://matrix.example.org"


def test_connection_refused_is_a_transport_error() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # bound, not listening: connections are refused
        with mxreg.Client(f"http://127.0.0.1:{port}", connect_timeout=5) as client:
            with pytest.raises(mxreg.ConnectError) as failed:
                client.register(unique_username("pyconn"), PASSWORD)
    assert isinstance(failed.value, mxreg.TransportError)


def test_bad_input_is_refused_before_the_call(open_client: mxreg.Client) -> None:
    with pytest.raises(ValueError, match="password contains a NUL character"):
        open_client.register("alice", "pass\0word")
    with pytest.raises(TypeError, match="username must be a str"):
        open_client.register(b"alice", PASSWORD)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="request_timeout must be between"):
        mxreg.Client(homeserver("open"), request_timeout=-1)
    with pytest.raises(mxreg.InvalidArgumentError):
        mxreg.Client("not a url")


def test_close_is_idempotent_and_use_after_close_raises() -> None:
    client = mxreg.Client(homeserver("open"))
    assert mxreg.live_handles().get("client", 0) >= 1
    client.close()
    client.close()
    assert client.closed and "closed" in repr(client)
    with pytest.raises(mxreg.ClosedError, match="closed"):
        client.register(unique_username("pyafter"), PASSWORD)
    with pytest.raises(mxreg.ClosedError), client:
        pass


def test_a_dropped_client_is_freed_by_its_finaliser() -> None:
    import gc

    before = mxreg.live_handles().get("client", 0)
    client = mxreg.Client(homeserver("open"))
    assert mxreg.live_handles().get("client", 0) == before + 1
    del client
    gc.collect()
    assert mxreg.live_handles().get("client", 0) == before


def test_homeserver_url_is_normalised() -> None:
    with mxreg.Client(homeserver("open") + "/") as client:
        assert client.homeserver_url == homeserver("open")

