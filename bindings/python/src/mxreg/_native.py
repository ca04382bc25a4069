"""Conversions between Python values and the raw C API, and `check()`, the one
place where a result code plus an `mxreg_error` become an exception."""

from __future__ import annotations

import ctypes
import json
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from . import _raw
from .auth import AuthInfo
from .errors import InvalidStateError, MxregError, error_class
from .registration import Registration
from .tokens import Tokens

_Owned = TypeVar("_Owned")
_Read = TypeVar("_Read")


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


def reject_unknown_keywords(accepted: Any, given: Mapping[str, object]) -> None:
    """TypeError for keys of `given` that the TypedDict `accepted` does not
    name, as Python raises for an unknown keyword argument (mypy catches
    them first in checked code)."""
    unknown = set(given) - accepted.__required_keys__ - accepted.__optional_keys__
    if unknown:
        raise TypeError(f"unexpected keyword arguments: {', '.join(sorted(unknown))}")


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


def call_checked(call: Callable[[ctypes._CArgObject], int]) -> None:
    """Run a fallible C call that needs no handle, giving it a fresh
    `error_out` as its last argument, and raise what it reports (`check`)."""
    error = new_error_slot()
    check(call(ctypes.byref(error)), error)


def read_then_free(owned: _Owned, read: Callable[[_Owned], _Read], free: Callable[[_Owned], None]) -> _Read:
    """`read(owned)` copied into Python, then the native `owned` freed, even
    when reading fails."""
    try:
        return read(owned)
    finally:
        free(owned)


def take_string(string: ctypes.c_void_p, missing: str) -> str:
    """Copy a free-standing string the library handed over, then wipe and
    free it (`mxreg_string_free`); `InvalidStateError(missing)` for NULL."""
    if not string.value:
        raise InvalidStateError(missing)
    return read_then_free(string.value, lambda address: ctypes.string_at(address).decode("utf-8"), _raw.mxreg_string_free)


def exception_from(code: int, error: ctypes._Pointer[_raw.mxreg_error]) -> MxregError:
    """The exception for a failed call, read from `error` (which may be NULL)."""
    cls = error_class(code)
    if not error:
        described = py_string(_raw.mxreg_result_describe(code)) or f"mxreg result code {code}"
        return cls(described, code=code)
    message = py_string(_raw.mxreg_error_message(error)) or ""
    info_ptr = _raw.mxreg_error_auth_info(error)
    return cls(
        message,
        code=code,
        errcode=py_string(_raw.mxreg_error_errcode(error)),
        http_status=_raw.mxreg_error_http_status(error) or None,
        retry_after_ms=_millis_or_none(_raw.mxreg_error_retry_after_ms(error)),
        body=_json_object(py_string(_raw.mxreg_error_body_json(error))),
        auth_info=read_auth_info(info_ptr) if info_ptr else None,
        admin_contact=py_string(_raw.mxreg_error_admin_contact(error)),
        info_uri=py_string(_raw.mxreg_error_info_uri(error)),
        can_upgrade=bool(_raw.mxreg_error_can_upgrade(error)),
        consent_uri=py_string(_raw.mxreg_error_consent_uri(error)),
        device_id=py_string(_raw.mxreg_error_device_id(error)),
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


def _millis_or_none(millis: int) -> int | None:
    """A duration or time from the C API, where a negative value means "not given"."""
    return None if millis < 0 else millis


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
    return Registration(
        user_id=py_string(_raw.mxreg_registration_user_id(registration)) or "",
        device_id=py_string(_raw.mxreg_registration_device_id(registration)),
        access_token=py_string(_raw.mxreg_registration_access_token(registration)),
        refresh_token=py_string(_raw.mxreg_registration_refresh_token(registration)),
        expires_in_ms=_millis_or_none(_raw.mxreg_registration_expires_in_ms(registration)),
        expires_at_ms=_millis_or_none(_raw.mxreg_registration_expires_at_ms(registration)),
    )


def read_tokens(tokens: ctypes._Pointer[_raw.mxreg_tokens]) -> Tokens:
    """Copy an `mxreg_tokens` into `Tokens`."""
    return Tokens(
        access_token=py_string(_raw.mxreg_tokens_access_token(tokens)) or "",
        refresh_token=py_string(_raw.mxreg_tokens_refresh_token(tokens)),
        expires_in_ms=_millis_or_none(_raw.mxreg_tokens_expires_in_ms(tokens)),
        expires_at_ms=_millis_or_none(_raw.mxreg_tokens_expires_at_ms(tokens)),
    )
