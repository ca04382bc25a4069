"""`Signup`: a registration in progress, one call per stage.

    with client.signup("alice", password, stages=Stage.REGISTRATION_TOKEN | Stage.TERMS) as signup:
        signup.start()
        while signup.status is SignupState.NEEDS_STAGE:
            if signup.next_stage == mxreg.auth.REGISTRATION_TOKEN:
                signup.submit_token(token)
            elif signup.next_stage == mxreg.auth.TERMS:
                show(signup.policies())
                signup.accept_terms()
            ...
        account = signup.registration

`m.login.dummy` stages are completed by the library itself. A session can be
saved (`save()`) and finished later by another process
(`Client.restore_signup`), e.g. while the user follows an email link.
"""

from __future__ import annotations

import ctypes
import json
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from . import _raw
from ._handles import HandleOwner, OwnedHandle
from ._native import c_string, py_string, read_auth_info, read_registration, take_string
from .auth import AuthInfo
from .errors import InvalidStateError, StageRejectedError
from .registration import Registration

__all__ = ["Policy", "Signup", "SignupState", "Stage"]

Stage = _raw.mxreg_stage
"""Stage types an app can complete, as flags (`Stage.TERMS | Stage.EMAIL`)."""

SignupState = _raw.mxreg_signup_state
"""Where a signup session is: NOT_STARTED, NEEDS_STAGE, COMPLETE or FAILED."""


@dataclass(frozen=True)
class Policy:
    """One policy of an `m.login.terms` stage, in the language asked for
    (else English, else the first translation)."""

    id: str
    version: str
    name: str
    url: str


class Signup(HandleOwner[_raw.mxreg_signup]):
    """A registration in progress (create it with `Client.signup` or
    `Client.restore_signup`).

    Calls block for one request each. One call at a time: calls from
    several threads are serialised, and `close()` waits for a running call.
    Use it as a context manager or call `close()` (safe twice), which wipes
    the password and secrets the native session holds.
    """

    def __init__(self, pointer: ctypes._Pointer[_raw.mxreg_signup]) -> None:
        """Takes ownership of a native session; use the `Client` methods."""
        self._handle = OwnedHandle(self, "signup", pointer, _raw.mxreg_signup_free)
        self._lock = threading.Lock()

    # -- lifetime ----------------------------------------------------------

    def close(self) -> None:
        """Free the native session (waits for a call in progress). Safe twice."""
        with self._lock:
            self._handle.close()

    def __repr__(self) -> str:
        if self.closed:
            return "<mxreg.Signup closed>"
        return f"<mxreg.Signup {self.status.name} next_stage={self.next_stage!r}>"

    @contextmanager
    def _borrow(self) -> Iterator[ctypes._Pointer[_raw.mxreg_signup]]:
        """The session, for one call at a time."""
        with self._lock:
            yield self._handle.get()

    # -- state -------------------------------------------------------------

    @property
    def status(self) -> SignupState:
        with self._borrow() as signup:
            return SignupState(_raw.mxreg_signup_status(signup))

    @property
    def next_stage(self) -> str | None:
        """The stage the server wants next (e.g. `"m.login.terms"`), or None."""
        with self._borrow() as signup:
            return py_string(_raw.mxreg_signup_next_stage(signup))

    @property
    def auth_info(self) -> AuthInfo | None:
        """The server's last UIA answer (flows, params, completed, session)."""
        with self._borrow() as signup:
            info = _raw.mxreg_signup_auth_info(signup)
            return read_auth_info(info) if info else None

    @property
    def fallback_url(self) -> str | None:
        """The server's web page for the next stage, or None when none is pending."""
        with self._borrow() as signup:
            return py_string(_raw.mxreg_signup_fallback_url(signup))

    @property
    def email_submit_url(self) -> str | None:
        """Where the server wants the code it mailed, or None when the mail
        holds a link to follow instead. When set, ask the user for the code
        and call `submit_email_code()` (`check_email()` would never succeed)."""
        with self._borrow() as signup:
            return py_string(_raw.mxreg_signup_email_submit_url(signup))

    @property
    def registration(self) -> Registration | None:
        """The new account once `status` is COMPLETE, else None."""
        with self._borrow() as signup:
            registration = _raw.mxreg_signup_registration(signup)
            return read_registration(registration) if registration else None

    def policies(self, language: str | None = None) -> list[Policy]:
        """The policies of the `m.login.terms` stage: show them (their URLs)
        to the user before `accept_terms()`."""
        lang = c_string(language, "language")
        with self._borrow() as signup:
            return [
                Policy(
                    id=py_string(_raw.mxreg_signup_policy_id(signup, index)) or "",
                    version=py_string(_raw.mxreg_signup_policy_version(signup, index)) or "",
                    name=py_string(_raw.mxreg_signup_policy_name(signup, index, lang)) or "",
                    url=py_string(_raw.mxreg_signup_policy_url(signup, index, lang)) or "",
                )
                for index in range(_raw.mxreg_signup_policy_count(signup))
            ]

    def save(self) -> str:
        """The session as a JSON string for `Client.restore_signup`. It holds
        the password and validation secrets: store it as you would the password."""
        saved = ctypes.c_void_p()
        self._call(lambda signup, error: _raw.mxreg_signup_save(signup, ctypes.byref(saved), error))
        return take_string(saved, "the library returned no saved session")

    # -- steps -------------------------------------------------------------

    def start(self) -> None:
        """Send the first request. Afterwards `status` is NEEDS_STAGE or
        COMPLETE; `UnsupportedFlowError` when no flow fits the stages given
        to `Client.signup`."""
        self._call(_raw.mxreg_signup_start)

    def submit_token(self, token: str) -> None:
        """Complete `m.login.registration_token`. A wrong or used-up token
        raises `StageRejectedError`; the session stays usable."""
        value = c_string(token, "token")
        self._call(lambda signup, error: _raw.mxreg_signup_submit_token(signup, value, error))

    def accept_terms(self) -> None:
        """Complete `m.login.terms`: the user accepted every listed policy."""
        self._call(_raw.mxreg_signup_accept_terms)

    def request_email_token(self, email: str, next_link: str | None = None) -> None:
        """Have the server mail a validation link to `email`; calling again
        resends it. Then `check_email()` or `wait_for_email()`, or, when
        `email_submit_url` is set, `submit_email_code()`."""
        address, link = c_string(email, "email"), c_string(next_link, "next_link")
        self._call(lambda signup, error: _raw.mxreg_signup_request_email_token(signup, address, link, error))

    def check_email(self) -> bool:
        """Complete `m.login.email.identity` if the link was followed: True
        when done, False when not yet."""
        try:
            self._call(_raw.mxreg_signup_check_email)
        except StageRejectedError:
            return False
        return True

    def wait_for_email(self, *, poll_interval: float = 3.0, timeout: float | None = None) -> None:
        """Poll `check_email()` until the link was followed; `TimeoutError`
        after `timeout` seconds (None: wait for ever)."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while not self.check_email():
            if deadline is not None and time.monotonic() + poll_interval > deadline:
                raise TimeoutError(f"the validation link was not followed within {timeout:g} s")
            time.sleep(poll_interval)

    def submit_email_code(self, code: str) -> None:
        """Complete `m.login.email.identity` with the code from the mail,
        sent to `email_submit_url`. A wrong code raises `StageRejectedError`."""
        value = c_string(code, "code")
        self._call(lambda signup, error: _raw.mxreg_signup_submit_email_code(signup, value, error))

    def request_msisdn_token(self, country: str, phone_number: str) -> None:
        """Have the server text a code to `phone_number` (`country`: ISO
        3166-1 alpha-2, e.g. "GB"), for `m.login.msisdn`."""
        cc, number = c_string(country, "country"), c_string(phone_number, "phone_number")
        self._call(lambda signup, error: _raw.mxreg_signup_request_msisdn_token(signup, cc, number, error))

    def submit_msisdn_code(self, code: str) -> None:
        """Complete `m.login.msisdn` with the code from the SMS."""
        value = c_string(code, "code")
        self._call(lambda signup, error: _raw.mxreg_signup_submit_msisdn_code(signup, value, error))

    def submit_recaptcha(self, response: str) -> None:
        """Complete `m.login.recaptcha` with the captcha widget's response
        (its public key is in `auth_info.params`)."""
        value = c_string(response, "response")
        self._call(lambda signup, error: _raw.mxreg_signup_submit_recaptcha(signup, value, error))

    def fallback_done(self) -> None:
        """The user finished `fallback_url` in a browser: ask the server to go on."""
        self._call(_raw.mxreg_signup_fallback_done)

    def recover(self) -> None:
        """After `OutcomeUnknownError` from a step: end with the account on
        the session's device (the attempt is sent again, else mxreg logs in
        onto that device), or go on with the stages when registration had
        not finished. `InvalidStateError` when no attempt was lost."""
        self._call(_raw.mxreg_signup_recover)

    def submit_auth(self, auth: Mapping[str, Any]) -> None:
        """Complete any stage with an `auth` dict built by the app (the
        session ID is added)."""
        value = c_string(json.dumps(dict(auth)), "auth")
        self._call(lambda signup, error: _raw.mxreg_signup_submit_auth_json(signup, value, error))

    def require_complete(self) -> Registration:
        """The new account; `InvalidStateError` when the session is not complete."""
        registration = self.registration
        if registration is None:
            raise InvalidStateError(f"the signup session is {self.status.name}, not COMPLETE")
        return registration
