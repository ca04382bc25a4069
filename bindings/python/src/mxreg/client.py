"""`Client`: one homeserver, shared by every call, from any thread."""

from __future__ import annotations

import ctypes
import json
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, TypedDict, Unpack, cast

from . import _raw
from ._handles import HandleOwner, OwnedHandle
from ._native import (
    c_string,
    call_checked,
    py_string,
    read_registration,
    read_then_free,
    read_tokens,
    reject_unknown_keywords,
    take_string,
)
from ._options import ClientOptions, merge_options, raw_client_options
from .registration import Registration
from .oauth import OAuthServer
from .signup import Signup, Stage
from .tokens import Tokens

__all__ = ["AccountKind", "Client"]

AccountKind = _raw.mxreg_account_kind

if TYPE_CHECKING:
    # A yes/no question to the server: (client, value, answer_out, error_out) -> result code.
    _Question = Callable[
        [ctypes._Pointer[_raw.mxreg_client], bytes | None, ctypes._CArgObject, ctypes._CArgObject], int
    ]


class _SessionFields(TypedDict, total=False):
    """The keyword arguments `register`, `recover_registration` and `signup`
    share (with the defaults `_request` applies)."""

    device_name: str | None
    """The new device's display name."""
    inhibit_login: bool
    """Create the account without logging it in (no tokens; default False)."""
    refresh_token: bool
    """Ask for a refresh token (default True)."""
    guest_access_token: str | None
    """A guest's access token, to upgrade that guest."""


class _RegisterFields(_SessionFields, total=False):
    """The keyword arguments of `register` and `recover_registration`."""

    auth: Mapping[str, Any] | None
    """The `auth` object of a user-interactive auth stage."""
    appservice_token: str | None
    """An application service's `as_token` (`m.login.application_service`)."""
    kind: AccountKind
    """USER (default) or GUEST."""


class _LoginFields(TypedDict, total=False):
    """The keyword arguments of `login` and `login_with_token`."""

    device_id: str | None
    """The device to log in onto (default: a new one)."""
    device_name: str | None
    refresh_token: bool
    """Ask for a refresh token (default True)."""


def _request(
    username: str | None, password: str | None, device_id: str | None, fields: _RegisterFields
) -> _raw.mxreg_register_request:
    """A filled `mxreg_register_request` (it keeps the encoded strings alive)."""
    reject_unknown_keywords(_RegisterFields, fields)
    auth = fields.get("auth")
    request = _raw.mxreg_register_request()
    _raw.mxreg_register_request_init(ctypes.byref(request))
    request.username = c_string(username, "username")
    request.password = c_string(password, "password")
    request.device_id = c_string(device_id, "device_id")
    request.initial_device_display_name = c_string(fields.get("device_name"), "device_name")
    request.guest_access_token = c_string(fields.get("guest_access_token"), "guest_access_token")
    request.appservice_token = c_string(fields.get("appservice_token"), "appservice_token")
    request.auth_json = None if auth is None else c_string(json.dumps(dict(auth)), "auth")
    request.kind = int(AccountKind(fields.get("kind", AccountKind.USER)))
    request.inhibit_login = bool(fields.get("inhibit_login", False))
    request.refresh_token = bool(fields.get("refresh_token", True))
    return request


class Client(HandleOwner[_raw.mxreg_client]):
    """A client for one homeserver.

    Thread-safe: share one client between threads; connections are pooled.
    Every call blocks until the server answers or a timeout expires (10 s to
    connect and 30 s per request unless set here); `mxreg.aio.AsyncClient`
    runs the same calls in worker threads.

    Use it as a context manager, or call `close()` (safe to call twice);
    calls after `close()` raise `ClosedError`. A call running on another
    thread when `close()` happens finishes normally.

    The connection is set by a `ClientOptions` (`options=`) or by keyword
    arguments of the same names, which override its fields:
    `Client(url, rate_limit_max_wait=30)` is
    `Client(url, options=ClientOptions(rate_limit_max_wait=30))`.
    Plain `http://` is allowed only to loopback unless `allow_insecure_http`.
    """

    def __init__(
        self, homeserver_url: str, options: ClientOptions | None = None, **keywords: Unpack[ClientOptions]
    ) -> None:
        raw_options = raw_client_options(merge_options(options, keywords))
        url = c_string(homeserver_url, "homeserver_url")
        client = ctypes.POINTER(_raw.mxreg_client)()
        call_checked(lambda error: _raw.mxreg_client_new(url, ctypes.byref(raw_options), ctypes.byref(client), error))
        self._handle = OwnedHandle(self, "client", client, _raw.mxreg_client_free)
        self._lock = threading.Lock()
        self._homeserver_url = py_string(_raw.mxreg_client_homeserver_url(client)) or homeserver_url

    @property
    def homeserver_url(self) -> str:
        """The normalised base URL (no trailing slash)."""
        return self._homeserver_url

    def close(self) -> None:
        """Release the native client. Safe to call more than once."""
        with self._lock:
            self._handle.close()

    def __repr__(self) -> str:
        state = " closed" if self.closed else ""
        return f"<mxreg.Client {self._homeserver_url}{state}>"

    @contextmanager
    def _borrow(self) -> Iterator[ctypes._Pointer[_raw.mxreg_client]]:
        """A reference of the native client for one call. Taking it under the
        lock means `close()` on another thread cannot free the client while
        the call starts; the reference keeps it alive until the call ends."""
        with self._lock:
            reference = _raw.mxreg_client_clone(self._handle.get())
        try:
            yield reference
        finally:
            _raw.mxreg_client_free(reference)

    def register(
        self,
        username: str | None = None,
        password: str | None = None,
        *,
        device_id: str | None = None,
        **fields: Unpack[_RegisterFields],
    ) -> Registration:
        """One `POST /register`; returns the new account.

        Keywords: `device_id`, `device_name`, `inhibit_login` (default
        False), `refresh_token` (default True), `auth`,
        `guest_access_token`, `appservice_token`, `kind` (default
        `AccountKind.USER`).

        When the server wants user-interactive auth this raises
        `AuthRequiredError`: read `err.auth_info` (flows, params, session)
        and call again with `auth=` set to complete a stage, e.g.
        `mxreg.auth.dummy_auth(err.auth_info.session)`; send the same
        username and password each time. A failed stage raises
        `AuthRequiredError` too, with the stage's `errcode`.
        With `appservice_token`, `inhibit_login` is always sent (application
        service API v1.17): the account comes back without tokens.
        """
        request = _request(username, password, device_id, fields)
        return self._register_with(_raw.mxreg_client_register, request)

    def recover_registration(
        self,
        username: str | None = None,
        password: str | None = None,
        *,
        device_id: str,
        **fields: Unpack[_RegisterFields],
    ) -> Registration:
        """After `OutcomeUnknownError` from `register`: the account, on the
        device the lost attempt named.

        Pass the same arguments as the lost call (the keywords of
        `register`), with `device_id` set to yours or to the error's
        `device_id` (the one mxreg chose). The attempt is sent again; when
        the server no longer knows it, mxreg logs in onto that device.
        Raises what the server answered when neither gives the account
        (`AuthRequiredError`: registration had not finished; go on with the
        stages).
        """
        request = _request(username, password, device_id, fields)
        return self._register_with(_raw.mxreg_client_recover_registration, request)

    def _register_with(
        self,
        function: Callable[..., int],
        request: _raw.mxreg_register_request,
    ) -> Registration:
        """Run `mxreg_client_register` or its recovery with `request`."""
        registration = ctypes.POINTER(_raw.mxreg_registration)()
        self._call(
            lambda client, error: function(client, ctypes.byref(request), ctypes.byref(registration), error)
        )
        return read_then_free(registration, read_registration, _raw.mxreg_registration_free)

    def register_guest(
        self,
        *,
        device_name: str | None = None,
        inhibit_login: bool = False,
        refresh_token: bool = True,
    ) -> Registration:
        """Register a guest account (`kind=guest`; needs guest access on the server)."""
        return self.register(
            device_name=device_name, inhibit_login=inhibit_login, refresh_token=refresh_token, kind=AccountKind.GUEST
        )

    def upgrade_guest(
        self,
        guest_access_token: str,
        localpart: str,
        password: str,
        *,
        auth: Mapping[str, Any] | None = None,
        device_id: str | None = None,
        device_name: str | None = None,
        inhibit_login: bool = False,
        refresh_token: bool = True,
    ) -> Registration:
        """Turn a guest into a full account. Synapse requires the guest's own
        localpart (`Registration.localpart` of the guest) as the username.
        Raises `AuthRequiredError` like `register`."""
        return self.register(
            localpart,
            password,
            auth=auth,
            device_id=device_id,
            device_name=device_name,
            inhibit_login=inhibit_login,
            refresh_token=refresh_token,
            guest_access_token=guest_access_token,
        )

    def signup(
        self,
        username: str | None = None,
        password: str | None = None,
        *,
        stages: Stage = Stage.DUMMY,
        device_id: str | None = None,
        **fields: Unpack[_SessionFields],
    ) -> Signup:
        """A registration session to complete stage by stage (no I/O yet:
        call `start()`). `stages` are the `Stage` flags this app can
        complete; flows needing others are avoided (`m.login.dummy` is
        always handled). The other keywords are those of `register` but
        `auth`, `appservice_token` and `kind`. Close the session when done."""
        reject_unknown_keywords(_SessionFields, fields)
        # Its keys are a subset of the (all optional) register fields.
        request = _request(username, password, device_id, cast(_RegisterFields, fields))
        signup = ctypes.POINTER(_raw.mxreg_signup)()
        self._call(
            lambda client, error: _raw.mxreg_signup_new(
                client, ctypes.byref(request), int(stages), ctypes.byref(signup), error
            )
        )
        return Signup(signup)

    def restore_signup(self, saved: str) -> Signup:
        """Continue a session saved with `Signup.save()` (same homeserver).
        No I/O: go on with the call the saved state needs."""
        text = c_string(saved, "saved")
        signup = ctypes.POINTER(_raw.mxreg_signup)()
        self._call(lambda client, error: _raw.mxreg_signup_restore(client, text, ctypes.byref(signup), error))
        return Signup(signup)

    def username_available(self, username: str) -> bool:
        """Whether `username` (a localpart) is free on the server. Synapse
        limits this to about one call per second: expect `RateLimitedError`
        unless `rate_limit_max_wait` is set. An invalid name raises
        `InvalidArgumentError` (local check) or `InvalidUsernameError`."""
        return self._ask(_raw.mxreg_client_username_available, c_string(username, "username"))

    def registration_token_valid(self, token: str) -> bool:
        """Whether the server accepts `token` as a registration token (servers
        that require none may still say False)."""
        return self._ask(_raw.mxreg_client_registration_token_valid, c_string(token, "token"))

    def _ask(self, question: _Question, value: bytes | None) -> bool:
        answer = ctypes.c_bool()
        self._call(lambda client, error: question(client, value, ctypes.byref(answer), error))
        return bool(answer.value)

    def refresh(self, refresh_token: str) -> Tokens:
        """Exchange a refresh token for a new access token. A refresh token
        already exchanged raises `ForbiddenError` (Synapse); an unknown one
        `UnknownTokenError`."""
        value = c_string(refresh_token, "refresh_token")
        tokens = ctypes.POINTER(_raw.mxreg_tokens)()
        self._call(lambda client, error: _raw.mxreg_client_refresh(client, value, ctypes.byref(tokens), error))
        return read_then_free(tokens, read_tokens, _raw.mxreg_tokens_free)

    def login(self, user: str, password: str, **fields: Unpack[_LoginFields]) -> Registration:
        """Log in to an existing account with its password (`POST /login`):
        after a registration with `inhibit_login`, or to recover after
        `OutcomeUnknownError`. `user` is a localpart or a full user ID.
        Keywords: `device_id`, `device_name`, `refresh_token` (default
        True). A wrong password or an unknown user raises `ForbiddenError`."""
        return self._login(user, password, None, fields)

    def login_with_token(self, login_token: str, **fields: Unpack[_LoginFields]) -> Registration:
        """Log in with a single-use `m.login.token` (the `loginToken` an SSO
        redirect brings back); the keywords are those of `login`. A used or
        unknown token raises `ForbiddenError`."""
        return self._login(None, None, login_token, fields)

    def _login(
        self, user: str | None, password: str | None, login_token: str | None, fields: _LoginFields
    ) -> Registration:
        reject_unknown_keywords(_LoginFields, fields)
        request = _raw.mxreg_login_request()
        _raw.mxreg_login_request_init(ctypes.byref(request))
        request.user = c_string(user, "user")
        request.password = c_string(password, "password")
        request.login_token = c_string(login_token, "login_token")
        request.device_id = c_string(fields.get("device_id"), "device_id")
        request.initial_device_display_name = c_string(fields.get("device_name"), "device_name")
        request.refresh_token = bool(fields.get("refresh_token", True))
        account = ctypes.POINTER(_raw.mxreg_registration)()
        self._call(
            lambda client, error: _raw.mxreg_client_login(client, ctypes.byref(request), ctypes.byref(account), error)
        )
        return read_then_free(account, read_registration, _raw.mxreg_registration_free)

    def sso_url(self, redirect_url: str, *, idp_id: str | None = None, login: bool = False) -> str:
        """The single sign-on URL for the app to open in a browser; the server
        sends the browser back to `redirect_url` (absolute) with a
        `loginToken`: pass that URL to `sso_complete`. A user's first sign-in
        creates the account. `idp_id` is one of the server's identity
        providers (`probe().sso_identity_providers`), or None to let the
        server choose; `login` asks for a sign-in page (`action=login`)
        rather than a sign-up page. Raises `InvalidArgumentError` for a
        relative URL or an unknown provider, `UnsupportedFlowError` without
        SSO, `OAuthPreferredError` when the server prefers OAuth 2.0."""
        idp = c_string(idp_id, "idp_id")
        redirect = c_string(redirect_url, "redirect_url")
        action = _raw.MXREG_SSO_ACTION_LOGIN if login else _raw.MXREG_SSO_ACTION_REGISTER
        url = ctypes.c_void_p()
        self._call(lambda client, error: _raw.mxreg_client_sso_url(client, idp, redirect, action, ctypes.byref(url), error))
        return take_string(url, "the library returned no URL")

    def sso_complete(self, received_redirect_url: str) -> Registration:
        """Finish single sign-on: log in with the `loginToken` of the redirect
        the app received (the whole URL). A token used twice raises
        `ForbiddenError`; a URL without one `InvalidArgumentError`."""
        received = c_string(received_redirect_url, "received_redirect_url")
        account = ctypes.POINTER(_raw.mxreg_registration)()
        self._call(
            lambda client, error: _raw.mxreg_client_sso_complete(client, received, ctypes.byref(account), error)
        )
        return read_then_free(account, read_registration, _raw.mxreg_registration_free)

    def discover_oauth(self) -> OAuthServer:
        """The homeserver's OAuth 2.0 authorization server, fetched and
        checked (issuer, endpoints, PKCE S256). A server with legacy auth
        only raises `OAuthUnsupportedError`. Close it when done."""
        server = ctypes.POINTER(_raw.mxreg_oauth_server)()
        self._call(lambda client, error: _raw.mxreg_oauth_server_discover(client, ctypes.byref(server), error))
        return OAuthServer(server)
