"""Conversions between Python values and the raw C API, and `check()`, the one
place where a result code plus an `mxreg_error` become an exception."""

from __future__ import annotations

import ctypes
import json
from typing import Any

from . import _raw
from .auth import AuthInfo
from .errors import MxregError, error_class
from .registration import Registration
from .tokens import Tokens


def c_string(value: str | None, name: str) -> bytes | None:
    """UTF-8 bytes for a C string argument; refuses NUL characters, which C
    would silently cut the string at (a truncated password is worse than an error)."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a str, not {type(value).__name__}")
    if "\0" in value:
        raise ValueError(f"{name} contains a NUL character")
    return value.encode("utf-8")


def py_string(value: bytes | None) -> str | None:
    """A borrowed C string, copied into Python (None for NULL)."""
    return None if value is None else value.decode("utf-8", errors="replace")


def new_error_slot() -> ctypes._Pointer[_raw.mxreg_error]:
    """A NULL `mxreg_error *` for a call's `error_out` parameter."""
    return ctypes.POINTER(_raw.mxreg_error)()


def check(code: int, error: ctypes._Pointer[_raw.mxreg_error]) -> None:
    """Raise the exception for `code`, with the detail from `error`; always
    frees `error`."""
    try:
        if code == _raw.mxreg_result.OK:
            return
        raise exception_from(code, error)
    finally:
        if error:
            _raw.mxreg_error_free(error)


def exception_from(code: int, error: ctypes._Pointer[_raw.mxreg_error]) -> MxregError:
    """The exception for a failed call, read from `error` (which may be NULL)."""
    cls = error_class(code)
    if not error:
        described = py_string(_raw.mxreg_result_describe(code)) or f"mxreg result code {code}"
        return cls(described, code=code)
    message = py_string(_raw.mxreg_error_message(error)) or ""
    retry_after_ms = _raw.mxreg_error_retry_after_ms(error)
    info_ptr = _raw.mxreg_error_auth_info(error)
    return cls(
        message,
        code=code,
        errcode=py_string(_raw.mxreg_error_errcode(error)),
        http_status=_raw.mxreg_error_http_status(error) or None,
        retry_after_ms=None if retry_after_ms < 0 else retry_after_ms,
        body=_json_object(py_string(_raw.mxreg_error_body_json(error))),
        auth_info=read_auth_info(info_ptr) if info_ptr else None,
    )


def read_auth_info(info: ctypes._Pointer[_raw.mxreg_auth_info]) -> AuthInfo:
    """Copy a borrowed `mxreg_auth_info` into an `AuthInfo`."""
    flows = tuple(
        tuple(
            py_string(_raw.mxreg_auth_info_flow_stage(info, flow, stage)) or ""
            for stage in range(_raw.mxreg_auth_info_flow_stage_count(info, flow))
        )
        for flow in range(_raw.mxreg_auth_info_flow_count(info))
    )
    completed = tuple(
        py_string(_raw.mxreg_auth_info_completed(info, index)) or ""
        for index in range(_raw.mxreg_auth_info_completed_count(info))
    )
    return AuthInfo.from_params_json(
        py_string(_raw.mxreg_auth_info_session(info)),
        flows,
        completed,
        py_string(_raw.mxreg_auth_info_params_json(info)) or "{}",
    )


def _json_object(text: str | None) -> dict[str, Any] | None:
    if text is None:
        return None
    try:
        value = json.loads(text)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def read_registration(registration: ctypes._Pointer[_raw.mxreg_registration]) -> Registration:
    """Copy a (borrowed or owned) `mxreg_registration` into a `Registration`."""
    expires_in = _raw.mxreg_registration_expires_in_ms(registration)
    expires_at = _raw.mxreg_registration_expires_at_ms(registration)
    return Registration(
        user_id=py_string(_raw.mxreg_registration_user_id(registration)) or "",
        device_id=py_string(_raw.mxreg_registration_device_id(registration)),
        access_token=py_string(_raw.mxreg_registration_access_token(registration)),
        refresh_token=py_string(_raw.mxreg_registration_refresh_token(registration)),
        expires_in_ms=None if expires_in < 0 else expires_in,
        expires_at_ms=None if expires_at < 0 else expires_at,
    )


def read_tokens(tokens: ctypes._Pointer[_raw.mxreg_tokens]) -> Tokens:
    """Copy an `mxreg_tokens` into `Tokens`."""
    expires_in = _raw.mxreg_tokens_expires_in_ms(tokens)
    expires_at = _raw.mxreg_tokens_expires_at_ms(tokens)
    return Tokens(
        access_token=py_string(_raw.mxreg_tokens_access_token(tokens)) or "",
        refresh_token=py_string(_raw.mxreg_tokens_refresh_token(tokens)),
        expires_in_ms=None if expires_in < 0 else expires_in,
        expires_at_ms=None if expires_at < 0 else expires_at,
    )
