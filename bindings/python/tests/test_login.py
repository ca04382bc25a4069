"""`Client.login` / `login_with_token` and the `login` / `sso-complete`
commands against the real Synapse (open variant): the C suite's scenarios."""

from __future__ import annotations

import asyncio
import time

import pytest
from support import PASSWORD, cli_json, homeserver, mxreg_cli, rig, unique_username

import mxreg
import mxreg.aio
from mxreg.auth import DUMMY


def account_without_device(client: mxreg.Client, prefix: str) -> str:
    """A new account registered with inhibit_login: no device, no token."""
    username = unique_username(prefix)
    created = client.register(username, PASSWORD, auth={"type": DUMMY}, inhibit_login=True)
    assert created.access_token is None and created.device_id is None
    return username


def test_password_login_after_inhibit_login(open_client: mxreg.Client) -> None:
    username = account_without_device(open_client, "pylogin")
    account = open_client.login(username, PASSWORD, device_name="mxreg python login")
    assert account.user_id == f"@{username}:localhost"
    assert account.device_id and account.access_token and account.refresh_token
    assert account.expires_at is not None and account.expires_at.timestamp() > time.time()
    again = open_client.login(account.user_id, PASSWORD, refresh_token=False)
    assert again.user_id == account.user_id and again.device_id != account.device_id
    assert again.refresh_token is None and again.expires_in_ms is None


def test_wrong_password_and_unknown_user_are_forbidden(open_client: mxreg.Client) -> None:
    username = account_without_device(open_client, "pywrong")
    with pytest.raises(mxreg.ForbiddenError) as wrong:
        open_client.login(username, "not-the-Passw0rd")
    assert wrong.value.errcode == "M_FORBIDDEN" and wrong.value.http_status == 403
    assert "not-the-Passw0rd" not in str(wrong.value) + repr(wrong.value)
    with pytest.raises(mxreg.ForbiddenError):
        open_client.login(unique_username("pynobody"), PASSWORD)


def test_login_token_works_once(open_client: mxreg.Client) -> None:
    username = account_without_device(open_client, "pytoken")
    token = rig("login-token", "open", "--user", f"@{username}:localhost")
    account = open_client.login_with_token(token)
    assert account.user_id == f"@{username}:localhost" and account.access_token
    with pytest.raises(mxreg.ForbiddenError) as used:
        open_client.login_with_token(token)
    assert token not in str(used.value)


def test_bad_input_is_refused_before_sending(open_client: mxreg.Client) -> None:
    with pytest.raises(mxreg.InvalidArgumentError):
        open_client.login("alice", "")
    with pytest.raises(ValueError):
        open_client.login("alice", "pass\0word")


def test_async_login(open_client: mxreg.Client) -> None:
    username = account_without_device(open_client, "pyalogin")

    async def main() -> mxreg.Registration:
        async with mxreg.aio.AsyncClient(homeserver("open")) as client:
            return await client.login(username, PASSWORD)

    assert asyncio.run(main()).user_id == f"@{username}:localhost"


def test_cli_login_reads_the_password_from_the_environment(open_client: mxreg.Client) -> None:
    username = account_without_device(open_client, "pyclilogin")
    args = ("login", "--homeserver", homeserver("open"), "--username", username, "--password-env")
    output = cli_json(mxreg_cli(*args, env={"MXREG_PASSWORD": PASSWORD}))
    assert output["user_id"] == f"@{username}:localhost" and "access_token" not in output
    wrong = mxreg_cli(*args, env={"MXREG_PASSWORD": "not-the-Passw0rd"})
    assert wrong.returncode == 1 and wrong.stdout == ""
    assert wrong.stderr.startswith("mxreg: FORBIDDEN: M_FORBIDDEN"), wrong.stderr
    assert "not-the-Passw0rd" not in wrong.stderr
    unset = mxreg_cli(*args, env={"MXREG_PASSWORD": ""})
    assert unset.returncode == 2 and "MXREG_PASSWORD" in unset.stderr


def test_cli_sso_complete_redeems_a_login_token(open_client: mxreg.Client) -> None:
    username = account_without_device(open_client, "pyclisso")
    token = rig("login-token", "open", "--user", f"@{username}:localhost")
    args = ("sso-complete", "--homeserver", homeserver("open"), "--login-token", token)
    output = cli_json(mxreg_cli(*args, "--show-tokens"))
    assert output["user_id"] == f"@{username}:localhost" and str(output["access_token"]).startswith("syt_")
    used = mxreg_cli(*args)
    assert used.returncode == 1 and used.stderr.startswith("mxreg: FORBIDDEN: M_FORBIDDEN"), used.stderr
