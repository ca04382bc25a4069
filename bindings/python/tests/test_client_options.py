"""`ClientOptions`: the one options type, given as `options=` or as keywords
(no I/O: a client only connects when a call needs it)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

import mxreg
from mxreg import ClientOptions
from mxreg.aio import AsyncClient

REMOTE_HTTP = "http://matrix.example.org"  # plain http off loopback: refused unless allowed


@pytest.mark.parametrize(
    ("options", "keywords", "allowed"),
    [
        (None, {}, False),
        (ClientOptions(allow_insecure_http=True), {}, True),
        (None, {"allow_insecure_http": True}, True),
        # Keywords override the fields of `options`.
        (ClientOptions(allow_insecure_http=True), {"allow_insecure_http": False}, False),
        (ClientOptions(allow_insecure_http=False), {"allow_insecure_http": True}, True),
        (ClientOptions(call_timeout=5), {"allow_insecure_http": True}, True),
    ],
)
def test_options_and_keywords_set_the_same_connection(
    options: ClientOptions | None, keywords: dict[str, Any], allowed: bool
) -> None:
    if allowed:
        with mxreg.Client(REMOTE_HTTP, options, **keywords) as client:
            assert client.homeserver_url == REMOTE_HTTP
    else:
        with pytest.raises(mxreg.InsecureUrlError):
            mxreg.Client(REMOTE_HTTP, options, **keywords)


def test_merging_leaves_the_callers_options_alone() -> None:
    shared = ClientOptions(allow_insecure_http=True, call_timeout=5)
    with pytest.raises(mxreg.InsecureUrlError):
        mxreg.Client(REMOTE_HTTP, options=shared, allow_insecure_http=False)
    assert shared == {"allow_insecure_http": True, "call_timeout": 5}


def test_each_field_is_checked_wherever_it_comes_from() -> None:
    with pytest.raises(ValueError, match="connect_timeout must be between"):
        mxreg.Client(REMOTE_HTTP, options=ClientOptions(connect_timeout=0))
    with pytest.raises(ValueError, match="max_response_bytes must be positive"):
        mxreg.Client(REMOTE_HTTP, max_response_bytes=0)
    with pytest.raises(ValueError, match="ca_pem contains a NUL character"):
        mxreg.Client(REMOTE_HTTP, options=ClientOptions(ca_pem="\0"))


def test_unknown_options_are_a_type_error_as_unknown_keywords_were() -> None:
    with pytest.raises(TypeError, match="conect_timeout"):
        mxreg.Client(REMOTE_HTTP, conect_timeout=5)  # type: ignore[call-arg]
    with pytest.raises(TypeError, match="colour"):
        mxreg.Client(REMOTE_HTTP, options={"colour": "blue"})  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="conect_timeout"):
        mxreg.probe_server("example.org", conect_timeout=5)  # type: ignore[call-arg]


def test_the_async_client_takes_the_same_options() -> None:
    async def build() -> str:
        async with AsyncClient(REMOTE_HTTP, ClientOptions(allow_insecure_http=True)) as client:
            return client.homeserver_url

    assert asyncio.run(build()) == REMOTE_HTTP
    with pytest.raises(mxreg.InsecureUrlError):
        AsyncClient(REMOTE_HTTP, ClientOptions(allow_insecure_http=True), allow_insecure_http=False)


def test_request_keywords_keep_their_names() -> None:
    # The register and login keywords are typed dicts too: an unknown one
    # is refused before any request, as a misspelt keyword always was.
    with mxreg.Client(REMOTE_HTTP, allow_insecure_http=True) as client:
        with pytest.raises(TypeError, match="device"):
            client.register("alice", "pw", device="X")  # type: ignore[call-arg]
        with pytest.raises(TypeError, match="stage"):
            client.signup("alice", "pw", stage=mxreg.Stage.TERMS)  # type: ignore[call-arg]
        with pytest.raises(TypeError, match="refresh"):
            client.login("alice", "pw", refresh=False)  # type: ignore[call-arg]
