"""`python -m mxreg` against the real servers: JSON out, tokens hidden,
clear failures."""

from __future__ import annotations

import threading
import time

import pytest
from support import (
    EMAIL_CODE,
    PASSWORD,
    TOKEN_NAMES_FROM_THE_ANSWER,
    email_code_server,
    cli_json,
    follow_validation_link,
    homeserver,
    mxreg_cli,
    named_registration_token,
    new_registration_token,
    unique_username,
)


def test_register_prints_the_user_id_and_no_tokens() -> None:
    username = unique_username("pycli")
    done = mxreg_cli("register", "--homeserver", homeserver("open"), "--username", username, "--password", PASSWORD)
    output = cli_json(done)
    assert str(output["user_id"]).startswith(f"@{username}:")
    assert output["homeserver"] == homeserver("open")
    assert "access_token" not in output and "syt_" not in done.stdout + done.stderr


def test_show_tokens_and_the_password_from_the_environment() -> None:
    done = mxreg_cli(
        "register", "--homeserver", homeserver("open"), "--username", unique_username("pyclitok"), "--show-tokens",
        env={"MXREG_PASSWORD": PASSWORD},
    )
    output = cli_json(done)
    assert str(output["access_token"]).startswith("syt_") and str(output["refresh_token"]).startswith("syr_")


def test_taken_username_fails_with_a_message() -> None:
    username = unique_username("pyclitaken")
    args = ("register", "--homeserver", homeserver("open"), "--username", username, "--password", PASSWORD)
    cli_json(mxreg_cli(*args))
    done = mxreg_cli(*args)
    assert done.returncode == 1 and done.stdout == ""
    assert done.stderr.startswith("mxreg: ") and "M_USER_IN_USE" in done.stderr
    assert PASSWORD not in done.stderr


def test_registration_token_stage() -> None:
    args = ["register", "--homeserver", homeserver("token"), "--username", unique_username("pyclitk"), "--password", PASSWORD]
    missing = mxreg_cli(*args)
    assert missing.returncode == 1 and "m.login.registration_token" in missing.stderr and "--token" in missing.stderr
    bad = mxreg_cli(*args, "--token", "not-a-token")
    assert bad.returncode == 1 and "M_UNAUTHORIZED" in bad.stderr
    # One argument: a token may start with "-", which argparse takes for an option.
    assert cli_json(mxreg_cli(*args, f"--token={new_registration_token()}"))["user_id"]


@pytest.mark.parametrize("name", TOKEN_NAMES_FROM_THE_ANSWER)
def test_tokens_named_like_parts_of_the_answer(name: str) -> None:
    token = named_registration_token(name)
    args = ["register", "--homeserver", homeserver("token"), "--username", unique_username("pyclinm"), "--password", PASSWORD]
    assert cli_json(mxreg_cli(*args, "--token", token))["user_id"]


def test_an_email_code_is_read_from_standard_input() -> None:
    with email_code_server() as url:
        args = ["register", "--homeserver", url, "--username", "scripted", "--password", PASSWORD, "--email", "a@example.org"]
        wrong = mxreg_cli(*args, stdin="000000\n")
        assert wrong.returncode == 1 and "type it" in wrong.stderr
    with email_code_server() as url:
        args = ["register", "--homeserver", url, "--username", "scripted", "--password", PASSWORD, "--email", "a@example.org"]
        assert cli_json(mxreg_cli(*args, stdin=EMAIL_CODE + "\n"))["user_id"] == "@scripted:standin"


def test_terms_stage_needs_accept_terms() -> None:
    args = ["register", "--homeserver", homeserver("terms"), "--username", unique_username("pyclitm"), "--password", PASSWORD]
    refused = mxreg_cli(*args)
    assert refused.returncode == 1 and "m.login.terms" in refused.stderr
    accepted = mxreg_cli(*args, "--accept-terms")
    assert cli_json(accepted)["user_id"]
    assert "/_matrix/consent" in accepted.stderr  # the policy URL is shown


def test_email_stage_sends_the_mail_and_waits_for_the_link() -> None:
    username = unique_username("pyclimail")
    address = f"{username}@example.org"
    since = time.time() - 1
    clicker = threading.Thread(target=follow_validation_link, args=(address, since))
    clicker.start()
    done = mxreg_cli(
        "register", "--homeserver", homeserver("email"), "--username", username, "--password", PASSWORD,
        "--email", address, "--email-poll-interval", "0.5",
    )
    clicker.join(60)
    assert cli_json(done)["user_id"]
    assert f"a validation mail was sent to {address}" in done.stderr


def test_guest_and_upgrade() -> None:
    guest = cli_json(mxreg_cli("register", "--homeserver", homeserver("open"), "--guest", "--show-tokens"))
    localpart = str(guest["user_id"])[1:].split(":")[0]
    upgraded = mxreg_cli(
        "register", "--homeserver", homeserver("open"), "--upgrade-guest", str(guest["access_token"]),
        "--username", localpart, "--password", PASSWORD, "--device-id", "PYCLIDEV",
    )
    output = cli_json(upgraded)
    assert output["user_id"] == guest["user_id"] and output["device_id"] == "PYCLIDEV"


def test_inhibit_login_and_no_refresh() -> None:
    output = cli_json(mxreg_cli(
        "register", "--homeserver", homeserver("open"), "--username", unique_username("pycliinh"),
        "--password", PASSWORD, "--inhibit-login", "--show-tokens",
    ))
    assert output["access_token"] is None and output["device_id"] is None
    output = cli_json(mxreg_cli(
        "register", "--homeserver", homeserver("open"), "--username", unique_username("pyclinoref"),
        "--password", PASSWORD, "--no-refresh", "--show-tokens",
    ))
    assert output["access_token"] and output["refresh_token"] is None


def test_rate_limited_registration_fails_with_the_delay() -> None:
    failures = []
    for _ in range(4):
        done = mxreg_cli(
            "register", "--homeserver", homeserver("ratelimit"), "--username", unique_username("pyclirl"),
            "--password", PASSWORD,
        )
        if done.returncode != 0:
            failures.append(done)
            break
    assert failures, "four quick registrations were not rate-limited"
    assert failures[0].returncode == 1 and "M_LIMIT_EXCEEDED" in failures[0].stderr


def test_available_and_token_valid() -> None:
    username = unique_username("pycliav")
    free = cli_json(mxreg_cli("available", "--homeserver", homeserver("open"), username))
    assert free == {"username": username, "available": True}
    token = new_registration_token()
    assert cli_json(mxreg_cli("token-valid", "--homeserver", homeserver("token"), token)) == {"valid": True}
    assert cli_json(mxreg_cli("token-valid", "--homeserver", homeserver("token"), "nope")) == {"valid": False}


def test_probe() -> None:
    output = cli_json(mxreg_cli("probe", homeserver("terms")))
    assert output["homeserver_url"] == homeserver("terms") and output["signup_methods"] == ["LEGACY"]
    closed = cli_json(mxreg_cli("probe", homeserver("closed")))
    assert closed["signup_methods"] == []


def test_insecure_http_needs_the_flag_off_loopback() -> None:
    # An IPv4-mapped loopback address: not plain loopback to mxreg, yet the
    # traffic stays on this machine.
    port = homeserver("open").rsplit(":", 1)[1]
    url = f"http://[::ffff:127.0.0.1]:{port}"
    args = ["register", "--homeserver", url, "--username", unique_username("pycliins"), "--password", PASSWORD]
    refused = mxreg_cli(*args)
    assert refused.returncode == 1 and "allow_insecure_http" in refused.stderr
    assert cli_json(mxreg_cli(*args, "--allow-insecure-http"))["user_id"]


def test_bad_command_lines_exit_2() -> None:
    assert mxreg_cli("register", "--homeserver", homeserver("open")).returncode == 2
    assert mxreg_cli("register", "--homeserver", homeserver("open"), "--guest", "--username", "x").returncode == 2
    assert mxreg_cli("register").returncode == 2  # argparse: --homeserver missing
    assert mxreg_cli().returncode == 2
