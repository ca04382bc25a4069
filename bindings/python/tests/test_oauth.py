"""OAuth 2.0 sign-up against the rig's OAuth-delegated Synapse (variant
`oauth`), with tests/oauth/browser.py playing the user's browser."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator

import pytest
from support import BROWSER, PASSWORD, browse_to, homeserver, rig_variable, unique_username

import mxreg
from mxreg.aio import AsyncClient
from mxreg.oauth import OAuthIntent

REDIRECT_URI = "http://127.0.0.1:18199/callback"


def browse(authorization_url: str, username: str, action: str = "signup", redirect_uri: str = REDIRECT_URI) -> str:
    """The redirect URL the user's browser ends on (not opened)."""
    return browse_to(authorization_url, redirect_uri, username, action)


def whoami(access_token: str) -> tuple[int, dict[str, object]]:
    request = urllib.request.Request(
        homeserver("oauth") + "/_matrix/client/v3/account/whoami",
        headers={"Authorization": f"Bearer {access_token}"},
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:  # noqa: S310 (loopback test server)
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as err:
        return err.code, {}


@pytest.fixture
def server() -> Iterator[mxreg.OAuthServer]:
    with mxreg.Client(homeserver("oauth")) as client, client.discover_oauth() as found:
        yield found


@pytest.fixture
def client_id(server: mxreg.OAuthServer) -> str:
    app = server.register_client(
        client_uri="https://mxreg.test.invalid/", redirect_uris=[REDIRECT_URI], client_name="mxreg Python tests"
    )
    assert app.metadata["client_name"] == "mxreg Python tests"
    return app.client_id


def test_discovery(server: mxreg.OAuthServer) -> None:
    assert server.supports_sign_up
    assert server.issuer and server.token_endpoint and server.registration_endpoint
    assert server.metadata["issuer"] == server.issuer


def test_a_legacy_homeserver_has_no_oauth(open_client: mxreg.Client) -> None:
    with pytest.raises(mxreg.OAuthUnsupportedError):
        open_client.discover_oauth()


def test_each_flow_registers_a_client_and_may_use_any_loopback_port(server: mxreg.OAuthServer) -> None:
    # Registered without the port (RFC 8252 section 7.3): any port works in the flow.
    for port in (18197, 18198):
        app = server.register_client(client_uri="https://mxreg.test.invalid/", redirect_uris=[REDIRECT_URI])
        assert app.metadata["redirect_uris"] == ["http://127.0.0.1/callback"]
        redirect_uri = f"http://127.0.0.1:{port}/callback"
        username = unique_username("pyoport")
        with server.start_authorization(app.client_id, redirect_uri) as authorization:
            account = authorization.complete(browse(authorization.url, username, redirect_uri=redirect_uri))
        assert account.user_id.startswith(f"@{username}:")


def test_sign_up_creates_an_account_that_works(server: mxreg.OAuthServer, client_id: str) -> None:
    username = unique_username("pyoauth")
    with server.start_authorization(client_id, REDIRECT_URI) as authorization:
        assert authorization.intent is OAuthIntent.SIGN_UP
        assert "prompt=create" in authorization.url and authorization.state in authorization.url
        account = authorization.complete(browse(authorization.url, username))
    assert account.user_id.startswith(f"@{username}:") and account.device_id == authorization.device_id
    assert account.access_token and account.refresh_token
    status, body = whoami(account.access_token)
    assert status == 200 and body["user_id"] == account.user_id and body["device_id"] == account.device_id


def test_a_redirect_for_another_authorization_is_a_state_mismatch(server: mxreg.OAuthServer, client_id: str) -> None:
    with server.start_authorization(client_id, REDIRECT_URI) as authorization:
        with pytest.raises(mxreg.OAuthStateMismatchError):
            authorization.complete(f"{REDIRECT_URI}?code=forged&state=not-ours")


def test_a_denied_consent_is_access_denied(server: mxreg.OAuthServer, client_id: str) -> None:
    with server.start_authorization(client_id, REDIRECT_URI) as authorization:
        redirect = browse(authorization.url, unique_username("pydeny"), action="deny")
        with pytest.raises(mxreg.OAuthAccessDeniedError) as denied:
            authorization.complete(redirect)
    assert denied.value.errcode == "access_denied"


def test_a_replayed_code_is_an_invalid_grant(server: mxreg.OAuthServer, client_id: str) -> None:
    with server.start_authorization(client_id, REDIRECT_URI) as authorization:
        redirect = browse(authorization.url, unique_username("pyreplay"))
        authorization.complete(redirect)
        with pytest.raises(mxreg.OAuthInvalidGrantError):
            authorization.complete(redirect)


def test_refresh_rotates_and_the_old_refresh_token_is_refused(server: mxreg.OAuthServer, client_id: str) -> None:
    with server.start_authorization(client_id, REDIRECT_URI) as authorization:
        account = authorization.complete(browse(authorization.url, unique_username("pyrot")))
    assert account.refresh_token
    tokens = server.refresh_token(client_id, account.refresh_token)
    assert tokens.refresh_token and tokens.refresh_token != account.refresh_token
    assert whoami(tokens.access_token)[0] == 200
    with pytest.raises(mxreg.OAuthInvalidGrantError):
        server.refresh_token(client_id, account.refresh_token)


def test_revoking_logs_the_device_out(server: mxreg.OAuthServer, client_id: str) -> None:
    with server.start_authorization(client_id, REDIRECT_URI) as authorization:
        account = authorization.complete(browse(authorization.url, unique_username("pyrevoke")))
    assert account.access_token and whoami(account.access_token)[0] == 200
    server.revoke_token(client_id, account.access_token)
    assert whoami(account.access_token)[0] == 401
    server.revoke_token(client_id, "a-token-the-server-never-issued")  # succeeds


def test_a_saved_authorization_completes_after_a_restart(client_id: str) -> None:
    username = unique_username("pysaved")
    with mxreg.Client(homeserver("oauth")) as client, client.discover_oauth() as first:
        with first.start_authorization(client_id, REDIRECT_URI) as authorization:
            saved = authorization.save()
            url = authorization.url
    redirect = browse(url, username)
    with mxreg.Client(homeserver("oauth")) as client, client.discover_oauth() as second:
        with second.restore_authorization(saved) as restored:
            assert restored.url == url
            assert restored.complete(redirect).user_id.startswith(f"@{username}:")
        with pytest.raises(mxreg.InvalidArgumentError):
            second.restore_authorization('{"not": "an authorization"}')


def test_login_on_a_second_device(server: mxreg.OAuthServer, client_id: str) -> None:
    username = unique_username("pylogin")
    with server.start_authorization(client_id, REDIRECT_URI) as first:
        account = first.complete(browse(first.url, username))
    with server.start_authorization(client_id, REDIRECT_URI, intent=OAuthIntent.LOGIN, device_id="PYSECOND") as login:
        assert "prompt=create" not in login.url
        second = login.complete(browse(login.url, username, action="login"))
    assert second.user_id == account.user_id and second.device_id == "PYSECOND"


def test_bad_arguments(server: mxreg.OAuthServer, client_id: str) -> None:
    with pytest.raises(mxreg.InvalidArgumentError):
        server.register_client(client_uri="https://mxreg.test.invalid/", redirect_uris=[])
    with pytest.raises(TypeError):
        server.register_client(client_uri="https://mxreg.test.invalid/", redirect_uris=REDIRECT_URI)
    with pytest.raises(mxreg.InvalidArgumentError):
        server.start_authorization(client_id, REDIRECT_URI, device_id="bad device id!")


def test_close_waits_and_use_after_close_raises(server: mxreg.OAuthServer, client_id: str) -> None:
    authorization = server.start_authorization(client_id, REDIRECT_URI)
    server.close()
    server.close()
    with pytest.raises(mxreg.ClosedError):
        server.start_authorization(client_id, REDIRECT_URI)
    # Authorizations outlive their server.
    assert authorization.save()
    authorization.close()
    authorization.close()
    with pytest.raises(mxreg.ClosedError):
        authorization.save()


def test_async_sign_up() -> None:
    username = unique_username("pyaoauth")

    async def main() -> mxreg.Registration:
        async with AsyncClient(homeserver("oauth")) as client, await client.discover_oauth() as server:
            app = await server.register_client(client_uri="https://mxreg.test.invalid/", redirect_uris=[REDIRECT_URI])
            async with server.start_authorization(app.client_id, REDIRECT_URI) as authorization:
                redirect = await asyncio.to_thread(browse, authorization.url, username)
                return await authorization.complete(redirect)

    assert asyncio.run(main()).user_id.startswith(f"@{username}:")


def test_close_waits_for_calls_on_other_threads(client_id: str) -> None:
    import threading

    with mxreg.Client(homeserver("oauth")) as client:
        server = client.discover_oauth()
    started = threading.Barrier(4)
    outcomes: list[str] = []

    def register() -> None:
        started.wait()
        try:
            server.register_client(client_uri="https://mxreg.test.invalid/", redirect_uris=[REDIRECT_URI])
            outcomes.append("registered")
        except mxreg.ClosedError:
            outcomes.append("closed")

    threads = [threading.Thread(target=register) for _ in range(3)]
    for thread in threads:
        thread.start()
    started.wait()
    server.close()  # frees only once the calls that started have returned
    for thread in threads:
        thread.join(60)
    assert len(outcomes) == 3 and set(outcomes) <= {"registered", "closed"}


# ---- the device authorization grant (RFC 8628) -------------------------------

SHORT_LIVED = "(short-lived device codes)"
"""The rig's OAuth server gives clients with this in their name device codes
that expire after 3 s (scripts/oauth/provider.mjs)."""


def user_visits(verification_uri_complete: str | None, username: str, action: str) -> str:
    """The user, on another device: `approved` or `denied`."""
    assert verification_uri_complete is not None
    done = subprocess.run(
        [sys.executable, str(BROWSER), "--device", verification_uri_complete,
         "--username", username, "--password", PASSWORD, "--action", action],
        capture_output=True, text=True, timeout=120, check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def signed_up_user(server: mxreg.OAuthServer, client_id: str) -> str:
    """A new account through the code flow: the device flow only signs in."""
    username = unique_username("pydev")
    with server.start_authorization(client_id, REDIRECT_URI) as authorization:
        authorization.complete(browse(authorization.url, username))
    return username


def test_device_grant_approved_on_another_device(server: mxreg.OAuthServer, client_id: str) -> None:
    assert server.supports_device_authorization
    username = signed_up_user(server, client_id)
    with server.start_device_authorization(client_id) as device:
        assert device.user_code and device.verification_uri.endswith("/device")
        assert device.interval >= 1 and device.expires_at_ms > 0
        with pytest.raises(mxreg.OAuthAuthorizationPendingError) as pending:
            device.poll()
        assert pending.value.errcode == "authorization_pending"
        assert user_visits(device.verification_uri_complete, username, "login") == "approved"
        account = device.wait()
        assert account.user_id == f"@{username}:localhost" and account.device_id == device.device_id
        status, body = whoami(account.access_token or "")
        assert status == 200 and body["device_id"] == device.device_id
        with pytest.raises(mxreg.OAuthInvalidGrantError):
            device.poll()


def test_device_grant_denied(server: mxreg.OAuthServer, client_id: str) -> None:
    with server.start_device_authorization(client_id) as device:
        assert user_visits(device.verification_uri_complete, unique_username("pydevno"), "deny") == "denied"
        with pytest.raises(mxreg.OAuthAccessDeniedError) as denied:
            device.wait()
        assert denied.value.errcode == "access_denied"


def test_device_code_left_to_expire(server: mxreg.OAuthServer) -> None:
    app = server.register_client(
        client_uri="https://mxreg.test.invalid/", redirect_uris=[REDIRECT_URI],
        client_name=f"mxreg Python tests {SHORT_LIVED}",
    )
    with server.start_device_authorization(app.client_id, device_id="MXREGPYDEV") as device:
        assert device.device_id == "MXREGPYDEV"
        left = device.expires_at_ms / 1000 - time.time()
        assert left <= 3
        time.sleep(left + 1)
        with pytest.raises(mxreg.OAuthExpiredTokenError):
            device.poll()


def test_cli_oauth_device_waits_for_the_approval(server: mxreg.OAuthServer, client_id: str) -> None:
    username = signed_up_user(server, client_id)
    cli = subprocess.Popen(
        [sys.executable, "-m", "mxreg", "oauth-device", "--homeserver", homeserver("oauth")],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    assert cli.stderr is not None
    lines = [cli.stderr.readline(), cli.stderr.readline()]
    assert "enter the code" in lines[0], lines
    complete_uri = lines[1].strip().removeprefix("mxreg: or open ")
    assert user_visits(complete_uri, username, "login") == "approved"
    out, err = cli.communicate(timeout=60)
    assert cli.returncode == 0, err
    account = json.loads(out)
    assert account["user_id"] == f"@{username}:localhost" and "access_token" not in account


def test_probe_reports_the_device_grant_and_no_sso() -> None:
    found = mxreg.probe_server(homeserver("oauth"))
    assert found.details["oauth_device_authorization"] is True
    assert found.details["sso_identity_providers"] == [] and found.details["oauth_aware_preferred"] is False


def test_appservice_registers_with_inhibit_login_only() -> None:
    """Spec v1.17: on an OAuth-delegated server an application service
    registers without a login (the rig's oauth variant has one, @mxregbot_*)."""
    token = rig_variable("MXREG_HS_OAUTH_APPSERVICE_TOKEN")
    with mxreg.Client(homeserver("oauth")) as client:
        username = unique_username("mxregbot_py")
        account = client.register(username, appservice_token=token, inhibit_login=True)
        assert account.user_id == f"@{username}:localhost" and account.access_token is None
        # mxreg sends inhibit_login by itself for an application service
        # (Synapse answers M_APPSERVICE_LOGIN_UNSUPPORTED without it).
        username = unique_username("mxregbot_py")
        account = client.register(username, appservice_token=token)
        assert account.user_id == f"@{username}:localhost" and account.access_token is None
