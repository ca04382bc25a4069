"""Single sign-on against the rig's `sso` variant (Synapse with the rig's
OAuth server as upstream OpenID Connect provider): `Client.sso_url`,
tests/oauth/browser.py playing the browser, `Client.sso_complete`, and the
`sso-url` command. The C suite's scenarios."""

from __future__ import annotations

import urllib.parse
from collections.abc import Iterator

import pytest
from support import browse_to, cli_json, homeserver, mxreg_cli, unique_username

import mxreg

# Never opened: the rig's Synapse redirects there without a confirmation page.
REDIRECT_URL = "http://127.0.0.1:9/mxreg-sso"
IDP = "oidc-rig"


@pytest.fixture
def sso_client() -> Iterator[mxreg.Client]:
    with mxreg.Client(homeserver("sso")) as client:
        yield client


def test_first_sign_in_creates_the_account_and_the_second_logs_into_it(sso_client: mxreg.Client) -> None:
    username = unique_username("pysso")
    url = sso_client.sso_url(REDIRECT_URL, idp_id=IDP)
    assert url == (f"{homeserver('sso')}/_matrix/client/v3/login/sso/redirect/{IDP}"
                   f"?redirectUrl={urllib.parse.quote(REDIRECT_URL, safe='')}&action=register")
    account = sso_client.sso_complete(browse_to(url, REDIRECT_URL, username))
    assert account.user_id == f"@{username}:localhost"
    assert account.device_id and account.access_token and account.refresh_token

    url = sso_client.sso_url(REDIRECT_URL, login=True)
    assert url.endswith("&action=login") and f"/redirect/{IDP}" not in url
    again = sso_client.sso_complete(browse_to(url, REDIRECT_URL, username, "login"))
    assert again.user_id == account.user_id and again.device_id != account.device_id


def test_a_login_token_is_redeemed_once(sso_client: mxreg.Client) -> None:
    received = browse_to(sso_client.sso_url(REDIRECT_URL, idp_id=IDP), REDIRECT_URL, unique_username("pyssotwice"))
    sso_client.sso_complete(received)
    with pytest.raises(mxreg.ForbiddenError) as used:
        sso_client.sso_complete(received)
    assert used.value.errcode == "M_FORBIDDEN"
    assert received.split("loginToken=")[1] not in str(used.value)


def test_bad_input_is_refused(sso_client: mxreg.Client, open_client: mxreg.Client) -> None:
    with pytest.raises(mxreg.InvalidArgumentError, match=IDP):
        sso_client.sso_url(REDIRECT_URL, idp_id="oidc-nowhere")
    with pytest.raises(mxreg.InvalidArgumentError, match="redirect_url"):
        sso_client.sso_url("/mxreg-sso")
    with pytest.raises(mxreg.UnsupportedFlowError, match="m.login.sso"):
        open_client.sso_url(REDIRECT_URL)
    with pytest.raises(mxreg.InvalidArgumentError, match="loginToken"):
        sso_client.sso_complete(REDIRECT_URL + "?error=denied")


def test_cli_sso_url_then_sso_complete() -> None:
    username = unique_username("pyclisso")
    output = cli_json(mxreg_cli("sso-url", "--homeserver", homeserver("sso"), "--redirect-url", REDIRECT_URL,
                                "--idp", IDP))
    received = browse_to(str(output["url"]), REDIRECT_URL, username)
    token = urllib.parse.parse_qs(urllib.parse.urlsplit(received).query)["loginToken"][0]
    account = cli_json(mxreg_cli("sso-complete", "--homeserver", homeserver("sso"), "--login-token", token))
    assert account["user_id"] == f"@{username}:localhost"

    login = cli_json(mxreg_cli("sso-url", "--homeserver", homeserver("sso"), "--redirect-url", REDIRECT_URL,
                               "--login"))
    assert str(login["url"]).endswith("&action=login")
    unknown = mxreg_cli("sso-url", "--homeserver", homeserver("sso"), "--redirect-url", REDIRECT_URL,
                        "--idp", "oidc-nowhere")
    assert unknown.returncode == 1 and unknown.stderr.startswith("mxreg: INVALID_ARGUMENT: "), unknown.stderr
