"""`ClientOptions`, the one place that says what a connection can be told,
and its conversion to `mxreg_client_options` (for `Client`, `AsyncClient`
and `probe_server`)."""

from __future__ import annotations

import ctypes
from typing import TypedDict

from . import _raw
from ._native import c_string, reject_unknown_keywords

__all__ = ["ClientOptions"]

_MAX_U32 = 2**32 - 1
_MAX_U64 = 2**64 - 1


class ClientOptions(TypedDict, total=False):
    """How to talk to a homeserver; every field is optional.

    Give it as `options=ClientOptions(...)` or as keyword arguments of the
    same names (`Client(url, connect_timeout=5)`): both are checked by mypy,
    and keywords given with `options` override its fields, so one
    `ClientOptions` can serve several clients with a tweak each.
    Durations are seconds; None (or absent) keeps the library default.
    """

    user_agent: str | None
    """The User-Agent header (default: `mxreg/<version>`)."""
    connect_timeout: float | None
    """Seconds to connect (default 10)."""
    request_timeout: float | None
    """Seconds per request (default 30)."""
    max_response_bytes: int | None
    """The largest response body read (default: the library's limit)."""
    allow_insecure_http: bool
    """Plain `http://` to a host that is not loopback (default False)."""
    rate_limit_max_wait: float | None
    """Wait out HTTP 429 answers as the server asks, up to this total; by
    default calls raise `RateLimitedError` at once."""
    ca_pem: str | None
    """PEM certificates that replace the system's trust store (a private
    CA, pinned); verification is never turned off."""
    call_timeout: float | None
    """Seconds for a whole call however many requests it sends (OAuth
    discovery and completion, retries; default 60); rate-limit waits add
    to it."""


def _millis(seconds: float | None, name: str) -> int:
    """Seconds as the C API's milliseconds (None gives 0: the library default)."""
    if seconds is None:
        return 0
    millis = round(seconds * 1000)
    if not 1 <= millis <= _MAX_U32:
        raise ValueError(f"{name} must be between 0.001 and {_MAX_U32 // 1000} seconds, not {seconds!r}")
    return millis


def merge_options(options: ClientOptions | None, keywords: ClientOptions) -> ClientOptions:
    """`options` with the fields of `keywords` laid over it."""
    merged = ClientOptions(**options) if options is not None else ClientOptions()
    merged.update(keywords)
    return merged


def raw_client_options(options: ClientOptions) -> _raw.mxreg_client_options:
    """A filled options struct (it keeps the encoded strings alive)."""
    reject_unknown_keywords(ClientOptions, options)
    raw = _raw.mxreg_client_options()
    _raw.mxreg_client_options_init(ctypes.byref(raw))
    raw.user_agent = c_string(options.get("user_agent"), "user_agent")
    raw.connect_timeout_ms = _millis(options.get("connect_timeout"), "connect_timeout")
    raw.request_timeout_ms = _millis(options.get("request_timeout"), "request_timeout")
    max_response_bytes = options.get("max_response_bytes")
    if max_response_bytes is not None:
        if not 1 <= max_response_bytes <= _MAX_U64:
            raise ValueError(f"max_response_bytes must be positive, not {max_response_bytes!r}")
        raw.max_response_bytes = max_response_bytes
    raw.allow_insecure_http = bool(options.get("allow_insecure_http", False))
    raw.rate_limit_max_wait_ms = _millis(options.get("rate_limit_max_wait"), "rate_limit_max_wait")
    raw.ca_pem = c_string(options.get("ca_pem"), "ca_pem")
    raw.call_timeout_ms = _millis(options.get("call_timeout"), "call_timeout")
    return raw
