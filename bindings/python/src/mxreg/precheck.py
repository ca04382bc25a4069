"""Checks that need no server."""

from __future__ import annotations

from . import _raw
from ._native import c_string, call_checked

__all__ = ["check_username"]


def check_username(username: str, server_name: str | None = None) -> None:
    """Check a localpart against the Matrix user ID grammar (lower-case
    a-z, 0-9 and `-._=/+`; `@username:server_name` at most 255 bytes when
    `server_name` is given). Raises `InvalidArgumentError` saying what is
    wrong; servers may still refuse more names."""
    name, server = c_string(username, "username"), c_string(server_name, "server_name")
    call_checked(lambda error: _raw.mxreg_username_check(name, server, error))
