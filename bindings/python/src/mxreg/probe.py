"""`probe_server`: what sign-up a server offers, before registering."""

from __future__ import annotations

import ctypes
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Unpack

from . import _raw
from ._native import c_string, call_checked, py_string, read_auth_info, read_then_free
from ._options import ClientOptions, merge_options, raw_client_options
from .auth import AuthInfo

__all__ = ["ProbePart", "ServerProbe", "SignupMethod", "UnknownPart", "probe_server"]

SignupMethod = _raw.mxreg_signup_method
"""Sign-up methods, as flags: LEGACY (`Client.signup`), OAUTH_CREATE, OAUTH, SSO, GUEST."""

ProbePart = _raw.mxreg_probe_part
"""The parts of a probe found out on their own: LOGIN, OAUTH, REGISTRATION, GUEST."""


@dataclass(frozen=True)
class UnknownPart:
    """A part the probe could not find out, and why."""

    part: ProbePart
    code: _raw.mxreg_result
    """What its request met (TIMEOUT, RATE_LIMITED, HTTP_ERROR, ...)."""
    message: str


@dataclass(frozen=True)
class ServerProbe:
    """What `probe_server` found."""

    homeserver_url: str
    """The client-server API base URL to give `Client`."""
    signup_methods: SignupMethod
    """What the server was found to offer; empty with no `unknown` parts
    means sign-up is closed to this client."""
    auth_info: AuthInfo | None
    """The registration flows, when `SignupMethod.LEGACY` is offered."""
    details: Mapping[str, Any] = field(default_factory=dict)
    """Everything found (versions, login types, OAuth issuer, why registration
    is refused, ...), as the library reports it."""
    unknown: tuple[UnknownPart, ...] = ()
    """The parts that could not be found out (a method they would have shown
    is missing from `signup_methods`)."""

    @property
    def complete(self) -> bool:
        """Whether every part asked was found out."""
        return not self.unknown


def probe_server(
    server: str,
    *,
    check_guest_access: bool = False,
    options: ClientOptions | None = None,
    **keywords: Unpack[ClientOptions],
) -> ServerProbe:
    """Find out what sign-up `server` offers. `server` is a server name
    (`"example.org"`, discovered through its `.well-known`) or a URL.
    `check_guest_access` also tries a guest registration, which creates a
    guest account where guests are allowed. Blocks for a connection and
    about two round trips (the guest check one more), at most `call_timeout`; the connection is set as for `Client`
    (`options` and/or its keywords). A part that could not be found out
    does not raise: see `ServerProbe.unknown`."""
    raw_options = raw_client_options(merge_options(options, keywords))
    name = c_string(server, "server")
    probe = ctypes.POINTER(_raw.mxreg_probe)()
    call_checked(
        lambda error: _raw.mxreg_probe_server(
            name, ctypes.byref(raw_options), bool(check_guest_access), ctypes.byref(probe), error
        )
    )
    return read_then_free(probe, _read_probe, _raw.mxreg_probe_free)


def _read_probe(probe: ctypes._Pointer[_raw.mxreg_probe]) -> ServerProbe:
    info = _raw.mxreg_probe_auth_info(probe)
    details = json.loads(py_string(_raw.mxreg_probe_json(probe)) or "{}")
    return ServerProbe(
        homeserver_url=py_string(_raw.mxreg_probe_homeserver_url(probe)) or "",
        signup_methods=SignupMethod(_raw.mxreg_probe_signup_methods(probe)),
        auth_info=read_auth_info(info) if info else None,
        details=details if isinstance(details, dict) else {},
        unknown=tuple(
            UnknownPart(
                part=ProbePart(_raw.mxreg_probe_unknown_part(probe, index)),
                code=_raw.mxreg_result(_raw.mxreg_probe_unknown_result(probe, index)),
                message=py_string(_raw.mxreg_probe_unknown_message(probe, index)) or "",
            )
            for index in range(_raw.mxreg_probe_unknown_count(probe))
        ),
    )
