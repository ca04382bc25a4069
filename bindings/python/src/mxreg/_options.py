"""`mxreg_client_options` from keyword arguments, shared by `Client` and
`probe_server`."""

from __future__ import annotations

import ctypes

from . import _raw
from ._native import c_string

_MAX_U32 = 2**32 - 1
_MAX_U64 = 2**64 - 1


def _millis(seconds: float | None, name: str) -> int:
    """Seconds as the C API's milliseconds (None gives 0: the library default)."""
    if seconds is None:
        return 0
    millis = round(seconds * 1000)
    if not 1 <= millis <= _MAX_U32:
        raise ValueError(f"{name} must be between 0.001 and {_MAX_U32 // 1000} seconds, not {seconds!r}")
    return millis


def client_options(
    *,
    user_agent: str | None,
    connect_timeout: float | None,
    request_timeout: float | None,
    max_response_bytes: int | None,
    allow_insecure_http: bool,
    rate_limit_max_wait: float | None,
    ca_pem: str | None,
    call_timeout: float | None = None,
) -> _raw.mxreg_client_options:
    """A filled options struct (it keeps the encoded strings alive)."""
    options = _raw.mxreg_client_options()
    _raw.mxreg_client_options_init(ctypes.byref(options))
    options.user_agent = c_string(user_agent, "user_agent")
    options.connect_timeout_ms = _millis(connect_timeout, "connect_timeout")
    options.request_timeout_ms = _millis(request_timeout, "request_timeout")
    if max_response_bytes is not None:
        if not 1 <= max_response_bytes <= _MAX_U64:
            raise ValueError(f"max_response_bytes must be positive, not {max_response_bytes!r}")
        options.max_response_bytes = max_response_bytes
    options.allow_insecure_http = bool(allow_insecure_http)
    options.rate_limit_max_wait_ms = _millis(rate_limit_max_wait, "rate_limit_max_wait")
    options.ca_pem = c_string(ca_pem, "ca_pem")
    options.call_timeout_ms = _millis(call_timeout, "call_timeout")
    return options
