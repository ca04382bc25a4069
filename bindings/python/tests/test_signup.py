"""`Signup`: each stage against its Synapse variant, save/restore, lifetimes."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from support import (
    EMAIL_CODE,
    PASSWORD,
    TOKEN_NAMES_FROM_THE_ANSWER,
    email_code_server,
    follow_validation_link,
    homeserver,
    named_registration_token,
    new_registration_token,
    unique_username,
)

import mxreg
from mxreg import Signup, SignupState, Stage
from mxreg.auth import EMAIL_IDENTITY, REGISTRATION_TOKEN, TERMS


def status(signup: Signup) -> SignupState:
    """The status, read afresh (a call, so that mypy does not narrow it across steps)."""
    return signup.status


def test_dummy_only_server_completes_on_start(open_client: mxreg.Client) -> None:
    username = unique_username("pysu")
    with open_client.signup(username, PASSWORD, device_name="signup test") as signup:
        assert status(signup) is SignupState.NOT_STARTED and signup.registration is None
        signup.start()
        assert status(signup) is SignupState.COMPLETE and signup.next_stage is None
        account = signup.require_complete()
    assert account.user_id.startswith(f"@{username}:") and account.access_token


def test_registration_token_stage_rejects_then_accepts() -> None:
    token = new_registration_token()
    with mxreg.Client(homeserver("token")) as client:
        with client.signup(unique_username("pytok"), PASSWORD, stages=Stage.REGISTRATION_TOKEN) as signup:
            signup.start()
            assert status(signup) is SignupState.NEEDS_STAGE
            assert signup.next_stage == REGISTRATION_TOKEN
            info = signup.auth_info
            assert info is not None and info.session and (REGISTRATION_TOKEN, "m.login.dummy") in info.flows
            with pytest.raises(mxreg.StageRejectedError) as rejected:
                signup.submit_token("not-a-token")
            assert rejected.value.errcode == "M_UNAUTHORIZED"
            assert status(signup) is SignupState.NEEDS_STAGE  # still usable
            signup.submit_token(token)
            assert status(signup) is SignupState.COMPLETE
            assert signup.require_complete().user_id


@pytest.mark.parametrize("name", TOKEN_NAMES_FROM_THE_ANSWER)
def test_tokens_named_like_parts_of_the_answer_complete(name: str) -> None:
    token = named_registration_token(name)
    with mxreg.Client(homeserver("token")) as client:
        with client.signup(unique_username("pyname"), PASSWORD, stages=Stage.REGISTRATION_TOKEN) as signup:
            signup.start()
            signup.submit_token(token)
            assert status(signup) is SignupState.COMPLETE


def test_a_flow_needing_unsupported_stages_is_refused() -> None:
    with mxreg.Client(homeserver("token")) as client, client.signup(unique_username("pyunsup"), PASSWORD) as signup:
        with pytest.raises(mxreg.UnsupportedFlowError, match="registration_token"):
            signup.start()


def test_terms_stage_lists_policies_then_accepts() -> None:
    with mxreg.Client(homeserver("terms")) as client:
        with client.signup(unique_username("pyterms"), PASSWORD, stages=Stage.TERMS) as signup:
            signup.start()
            assert signup.next_stage == TERMS
            policies = signup.policies()
            assert len(policies) == 1
            policy = policies[0]
            assert policy.id == "privacy_policy" and policy.version == "1.0"
            assert policy.url.startswith(homeserver("terms")) and policy.name
            assert signup.policies("fr") == policies  # falls back to English
            assert signup.fallback_url is not None and "/auth/m.login.terms/fallback/web?session=" in signup.fallback_url
            signup.accept_terms()
            assert status(signup) is SignupState.COMPLETE


@contextmanager
def email_requested(client: mxreg.Client, prefix: str) -> Iterator[tuple[Signup, str, float]]:
    """A signup on the email variant that has asked for the validation mail:
    (the session, the address, when the mail was asked for)."""
    address = f"{unique_username(prefix)}@example.org"
    since = time.time() - 1
    with client.signup(unique_username(prefix), PASSWORD, stages=Stage.EMAIL) as signup:
        signup.start()
        assert signup.next_stage == EMAIL_IDENTITY
        signup.request_email_token(address)
        yield signup, address, since


def test_email_stage_waits_for_the_link_then_completes() -> None:
    with mxreg.Client(homeserver("email")) as client, email_requested(client, "pymail") as (signup, address, since):
        assert signup.check_email() is False  # the link was not followed yet
        follow_validation_link(address, since)
        signup.wait_for_email(poll_interval=0.5, timeout=30)
        assert status(signup) is SignupState.COMPLETE


def test_an_email_code_goes_to_the_submit_url() -> None:
    # A scripted stand-in answering requestToken as the spec's example does.
    with email_code_server() as url, mxreg.Client(url) as client:
        with client.signup("scripted", PASSWORD, stages=Stage.EMAIL) as signup:
            signup.start()
            assert signup.email_submit_url is None
            signup.request_email_token("alice@example.org")
            assert signup.email_submit_url == url + "/path/to/submitToken"
            with pytest.raises(mxreg.InvalidStateError):
                signup.check_email()  # no link to wait for
            with pytest.raises(mxreg.StageRejectedError):
                signup.submit_email_code("000000")
            signup.submit_email_code(EMAIL_CODE)
            assert status(signup) is SignupState.COMPLETE


def test_a_saved_session_finishes_in_another_client() -> None:
    with mxreg.Client(homeserver("email")) as first, email_requested(first, "pysave") as (signup, address, since):
        saved = signup.save()
    assert PASSWORD in saved  # it holds the secrets, as documented
    follow_validation_link(address, since)
    with mxreg.Client(homeserver("email")) as second, second.restore_signup(saved) as restored:
        assert restored.next_stage == EMAIL_IDENTITY
        assert restored.check_email() is True
        assert restored.require_complete().user_id


def test_email_wait_times_out() -> None:
    with mxreg.Client(homeserver("email")) as client:
        with client.signup(unique_username("pytimeout"), PASSWORD, stages=Stage.EMAIL) as signup:
            signup.start()
            signup.request_email_token(f"{unique_username('pytimeout')}@example.org")
            with pytest.raises(TimeoutError):
                signup.wait_for_email(poll_interval=0.2, timeout=1)


def test_submit_auth_completes_a_stage_the_app_builds() -> None:
    token = new_registration_token()
    with mxreg.Client(homeserver("token")) as client:
        with client.signup(unique_username("pyauth"), PASSWORD, stages=Stage.REGISTRATION_TOKEN) as signup:
            signup.start()
            signup.submit_auth({"type": REGISTRATION_TOKEN, "token": token})
            assert status(signup) is SignupState.COMPLETE


def test_username_taken_fails_the_session(open_client: mxreg.Client) -> None:
    username = unique_username("pysutaken")
    with open_client.signup(username, PASSWORD) as first:
        first.start()
    with open_client.signup(username, PASSWORD) as second:
        with pytest.raises(mxreg.UserInUseError):
            second.start()
        assert status(second) is SignupState.FAILED
        with pytest.raises(mxreg.InvalidStateError):
            second.require_complete()


def test_a_wrong_step_is_an_invalid_state(open_client: mxreg.Client) -> None:
    with open_client.signup(unique_username("pystate"), PASSWORD) as signup:
        with pytest.raises(mxreg.InvalidStateError):
            signup.accept_terms()  # not started
        signup.start()
        with pytest.raises(mxreg.InvalidStateError):
            signup.save()  # finished


def test_steps_from_several_threads_are_serialised() -> None:
    token = new_registration_token()
    with mxreg.Client(homeserver("token")) as client:
        with client.signup(unique_username("pythreads"), PASSWORD, stages=Stage.REGISTRATION_TOKEN) as signup:
            signup.start()
            outcomes: list[str] = []

            def submit() -> None:
                try:
                    signup.submit_token(token)
                    outcomes.append("ok")
                except mxreg.MxregError as err:
                    outcomes.append(type(err).__name__)

            threads = [threading.Thread(target=submit) for _ in range(3)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(60)
            # One completes; the others wait their turn, then find the session finished.
            assert sorted(outcomes) == ["InvalidStateError", "InvalidStateError", "ok"]
            assert status(signup) is SignupState.COMPLETE


def test_close_is_idempotent_and_use_after_close_raises(open_client: mxreg.Client) -> None:
    signup = open_client.signup(unique_username("pyclose"), PASSWORD)
    assert mxreg.live_handles().get("signup") == 1
    signup.close()
    signup.close()
    assert signup.closed and repr(signup) == "<mxreg.Signup closed>"
    with pytest.raises(mxreg.ClosedError):
        signup.start()
    with pytest.raises(mxreg.ClosedError):
        _ = signup.status
    assert "signup" not in mxreg.live_handles()


def test_the_session_outlives_its_python_client() -> None:
    client = mxreg.Client(homeserver("open"))
    signup: Signup = client.signup(unique_username("pyoutlive"), PASSWORD)
    client.close()  # the native session holds its own reference
    with signup:
        signup.start()
        assert status(signup) is SignupState.COMPLETE


def test_bad_stage_flags_are_refused(open_client: mxreg.Client) -> None:
    with pytest.raises(mxreg.InvalidArgumentError):
        open_client.signup("alice", PASSWORD, stages=1 << 20)  # type: ignore[arg-type]
