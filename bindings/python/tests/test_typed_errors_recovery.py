"""The typed errors with their payloads from the real Synapse variants, and
recovery onto the device a registration named."""

from __future__ import annotations

import pytest
from support import PASSWORD, homeserver, mxreg_cli, unique_username

import mxreg

DUMMY = {"type": "m.login.dummy"}


def test_a_disabled_server_gives_a_resource_limit_with_its_admin_contact() -> None:
    with mxreg.Client(homeserver("limited")) as client, pytest.raises(mxreg.ResourceLimitExceededError) as refused:
        client.register(unique_username("pylim"), PASSWORD, auth=DUMMY)
    assert refused.value.errcode == "M_RESOURCE_LIMIT_EXCEEDED"
    assert refused.value.admin_contact == "mailto:admin@localhost"
    assert refused.value.consent_uri is None and refused.value.info_uri is None
    assert isinstance(refused.value, mxreg.ServerError)


def test_a_name_in_an_appservice_namespace_is_exclusive(open_client: mxreg.Client) -> None:
    with pytest.raises(mxreg.ExclusiveError):
        open_client.register(unique_username("mxregbot_py"), PASSWORD, auth=DUMMY)
    with pytest.raises(mxreg.ExclusiveError):
        open_client.username_available(unique_username("mxregbot_py"))


def test_guests_where_guest_access_is_off_are_forbidden() -> None:
    with mxreg.Client(homeserver("token")) as client, pytest.raises(mxreg.GuestAccessForbiddenError) as refused:
        client.register_guest()
    assert refused.value.http_status == 403


def test_recovery_ends_on_the_device_the_registration_named(open_client: mxreg.Client) -> None:
    username = unique_username("pyrecover")
    first = open_client.register(username, PASSWORD, auth=DUMMY)
    assert first.device_id is not None and len(first.device_id) == 10  # chosen by mxreg
    again = open_client.recover_registration(username, PASSWORD, auth=DUMMY, device_id=first.device_id)
    assert again.user_id == first.user_id and again.device_id == first.device_id
    with pytest.raises(mxreg.AuthRequiredError):  # nothing was lost: the flows come back
        open_client.recover_registration(unique_username("pyrecover"), PASSWORD, device_id="NEVERUSED")


def test_the_cli_names_the_result_and_the_admin_contact() -> None:
    done = mxreg_cli(
        "register", "--homeserver", homeserver("limited"), "--username", unique_username("pyclilim"),
        "--password", PASSWORD,
    )
    assert done.returncode == 1
    assert "mxreg: RESOURCE_LIMIT_EXCEEDED: " in done.stderr
    assert "mxreg: administrator contact: mailto:admin@localhost" in done.stderr
