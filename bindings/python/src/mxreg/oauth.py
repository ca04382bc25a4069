"""OAuth 2.0 sign-up and login, for homeservers that delegate auth to an
OAuth 2.0 server (`Client.discover_oauth`).

    with client.discover_oauth() as server:
        redirect_uri = f"http://127.0.0.1:{listener_port}/callback"
        app = server.register_client(client_uri="https://app.example/", redirect_uris=[redirect_uri])
        with server.start_authorization(app.client_id, redirect_uri) as auth:
            open_in_browser(auth.url)
            account = auth.complete(redirect_url_the_browser_came_back_with)

Register the app at the start of each authorization flow, as the spec says,
and keep that `client_id` with the flow's tokens (refresh and revoke need
it). Loopback redirect URIs are registered without their port: the server
accepts any port in the authorization request (RFC 8252 §7.3), so listen on
whatever port is free. An authorization can be saved (`save()`) and
finished by a later run (`OAuthServer.restore_authorization`).
"""

from __future__ import annotations

import ctypes
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from . import _raw
from ._handles import HandleOwner, OwnedHandle
from ._native import c_string, py_string, read_registration, read_then_free, read_tokens, take_string
from .registration import Registration
from .tokens import Tokens

__all__ = [
    "ApplicationType",
    "OAuthAuthorization",
    "OAuthDeviceAuthorization",
    "OAuthIntent",
    "OAuthServer",
    "RegisteredClient",
    "ResponseMode",
]

ApplicationType = _raw.mxreg_oauth_application_type
"""NATIVE (desktop or mobile; loopback or private-scheme redirects) or WEB."""

OAuthIntent = _raw.mxreg_oauth_intent
"""SIGN_UP (`prompt=create`) or LOGIN."""

ResponseMode = _raw.mxreg_oauth_response_mode
"""Where the server puts the result in the redirect: QUERY or FRAGMENT."""


@dataclass(frozen=True)
class RegisteredClient:
    """The app as registered with the authorization server."""

    client_id: str
    metadata: Mapping[str, Any] = field(default_factory=dict)
    """The server's answer, without the secrets it may hold."""


def _json_dict(text: str | None) -> dict[str, Any]:
    value = json.loads(text or "{}")
    return value if isinstance(value, dict) else {}


def _read_registered_client(registered: ctypes._Pointer[_raw.mxreg_oauth_registered_client]) -> RegisteredClient:
    return RegisteredClient(
        client_id=py_string(_raw.mxreg_oauth_registered_client_client_id(registered)) or "",
        metadata=_json_dict(py_string(_raw.mxreg_oauth_registered_client_metadata_json(registered))),
    )


class OAuthAuthorization(HandleOwner[_raw.mxreg_oauth_authorization]):
    """An authorization in progress: open `url` in the user's browser, then
    `complete()` with the redirect it comes back with. Holds the PKCE
    verifier; `close()` (safe twice, or `with`) wipes it."""

    def __init__(self, pointer: ctypes._Pointer[_raw.mxreg_oauth_authorization]) -> None:
        """Takes ownership of a native authorization; use `OAuthServer` methods."""
        self._handle = OwnedHandle(self, "oauth_authorization", pointer, _raw.mxreg_oauth_authorization_free)
        self.url = py_string(_raw.mxreg_oauth_authorization_url(pointer)) or ""
        """The URL to open in the user's browser."""
        self.device_id = py_string(_raw.mxreg_oauth_authorization_device_id(pointer)) or ""
        """The device ID the new session will have."""
        self.state = py_string(_raw.mxreg_oauth_authorization_state(pointer)) or ""
        """The `state` value, to tell authorizations apart."""
        self.intent = OAuthIntent(_raw.mxreg_oauth_authorization_intent(pointer))

    def close(self) -> None:
        """Free the authorization and wipe its verifier (waits for a running `complete`)."""
        super().close()

    def __repr__(self) -> str:
        closed = " closed" if self.closed else ""
        return f"<mxreg.oauth.OAuthAuthorization {self.intent.name} device={self.device_id}{closed}>"

    def complete(self, redirect_url: str) -> Registration:
        """Finish with the full redirect URL the browser reached. Raises
        `OAuthStateMismatchError` for a redirect that is not this
        authorization's (ignore it), `OAuthAccessDeniedError` when the user
        refused, `OAuthInvalidGrantError` for a used or expired code."""
        url = c_string(redirect_url, "redirect_url")
        registration = ctypes.POINTER(_raw.mxreg_registration)()
        self._call(
            lambda authorization, error: _raw.mxreg_oauth_authorization_complete(
                authorization, url, ctypes.byref(registration), error
            )
        )
        return read_then_free(registration, read_registration, _raw.mxreg_registration_free)

    def save(self) -> str:
        """The authorization as a JSON string for
        `OAuthServer.restore_authorization`. It holds the PKCE verifier:
        store it as you would a token."""
        saved = ctypes.c_void_p()
        self._call(lambda authorization, error: _raw.mxreg_oauth_authorization_save(authorization, ctypes.byref(saved), error))
        return take_string(saved, "the library returned no string")


class OAuthDeviceAuthorization(HandleOwner[_raw.mxreg_oauth_device_authorization]):
    """A device authorization (RFC 8628) in progress: show the user
    `user_code` and `verification_uri` (or `verification_uri_complete` as a
    QR code), then `poll()` every `interval` seconds or `wait()`. Holds the
    device code; `close()` (safe twice, or `with`) wipes it."""

    def __init__(self, pointer: ctypes._Pointer[_raw.mxreg_oauth_device_authorization]) -> None:
        """Takes ownership of a native device authorization; use `OAuthServer.start_device_authorization`."""
        self._handle = OwnedHandle(
            self, "oauth_device_authorization", pointer, _raw.mxreg_oauth_device_authorization_free
        )
        self.user_code = py_string(_raw.mxreg_oauth_device_authorization_user_code(pointer)) or ""
        """The code the user enters at the verification URI."""
        self.verification_uri = py_string(_raw.mxreg_oauth_device_authorization_verification_uri(pointer)) or ""
        self.verification_uri_complete = py_string(
            _raw.mxreg_oauth_device_authorization_verification_uri_complete(pointer)
        )
        """The URI with the code in it, or None when the server gives none."""
        self.device_id = py_string(_raw.mxreg_oauth_device_authorization_device_id(pointer)) or ""
        self.expires_at_ms = int(_raw.mxreg_oauth_device_authorization_expires_at_ms(pointer))
        """When the user code expires, in ms since the Unix epoch."""

    @property
    def interval(self) -> float:
        """Seconds to wait between polls (longer after a `slow_down`)."""
        with self._borrow() as pointer:
            return int(_raw.mxreg_oauth_device_authorization_interval_ms(pointer)) / 1000

    def close(self) -> None:
        """Free the authorization and wipe its device code."""
        super().close()

    def __repr__(self) -> str:
        closed = " closed" if self.closed else ""
        return f"<mxreg.oauth.OAuthDeviceAuthorization {self.user_code} device={self.device_id}{closed}>"

    def poll(self) -> Registration:
        """Ask once whether the user has decided. Raises
        `OAuthAuthorizationPendingError` (not yet: poll again after
        `interval`), `OAuthAccessDeniedError` (refused) or
        `OAuthExpiredTokenError` (start anew); returns the account when
        approved."""
        return self._finish(_raw.mxreg_oauth_device_authorization_poll)

    def wait(self) -> Registration:
        """Poll until the user decides or the code expires (blocks up to the
        expiry; it cannot be interrupted: call `poll()` to stay in control).
        Raises as `poll()`, never `OAuthAuthorizationPendingError`."""
        return self._finish(_raw.mxreg_oauth_device_authorization_wait)

    def _finish(self, step: Callable[..., int]) -> Registration:
        registration = ctypes.POINTER(_raw.mxreg_registration)()
        self._call(lambda authorization, error: step(authorization, ctypes.byref(registration), error))
        return read_then_free(registration, read_registration, _raw.mxreg_registration_free)


class OAuthServer(HandleOwner[_raw.mxreg_oauth_server]):
    """A homeserver's OAuth 2.0 authorization server, discovered and checked
    (`Client.discover_oauth`). Thread-safe; `close()` (safe twice, or `with`)
    waits for calls running on other threads. Authorizations started from it
    stay valid after it is closed."""

    def __init__(self, pointer: ctypes._Pointer[_raw.mxreg_oauth_server]) -> None:
        """Takes ownership of a native server handle; use `Client.discover_oauth`."""
        self._handle = OwnedHandle(self, "oauth_server", pointer, _raw.mxreg_oauth_server_free)
        self.issuer = py_string(_raw.mxreg_oauth_server_issuer(pointer)) or ""
        self.authorization_endpoint = py_string(_raw.mxreg_oauth_server_authorization_endpoint(pointer)) or ""
        self.token_endpoint = py_string(_raw.mxreg_oauth_server_token_endpoint(pointer)) or ""
        self.registration_endpoint = py_string(_raw.mxreg_oauth_server_registration_endpoint(pointer))
        """None when the server has no dynamic client registration."""
        self.revocation_endpoint = py_string(_raw.mxreg_oauth_server_revocation_endpoint(pointer))
        self.account_management_uri = py_string(_raw.mxreg_oauth_server_account_management_uri(pointer))
        """Where users manage their account, or None."""
        self.supports_sign_up = bool(_raw.mxreg_oauth_server_supports_sign_up(pointer))
        self.supports_device_authorization = bool(_raw.mxreg_oauth_server_supports_device_authorization(pointer))
        """The device authorization grant (RFC 8628) is offered."""
        """Whether users can create accounts (`prompt=create`)."""
        self.metadata: Mapping[str, Any] = _json_dict(py_string(_raw.mxreg_oauth_server_metadata_json(pointer)))
        """The whole metadata document, unknown fields included."""

    def __repr__(self) -> str:
        return f"<mxreg.oauth.OAuthServer {self.issuer}{' closed' if self.closed else ''}>"

    def register_client(
        self,
        *,
        client_uri: str,
        redirect_uris: Sequence[str],
        client_name: str | None = None,
        application_type: ApplicationType = ApplicationType.NATIVE,
        logo_uri: str | None = None,
        policy_uri: str | None = None,
        tos_uri: str | None = None,
    ) -> RegisteredClient:
        """Register the app as a public client (dynamic client registration),
        at the start of each authorization flow. `client_uri` is the app's
        https page; the other URIs share its host. Loopback redirect URIs
        are registered without their port (any port works in the flow).
        `OAuthUnsupportedError` when the server has no dynamic registration."""
        if isinstance(redirect_uris, str):
            raise TypeError("redirect_uris must be a sequence of URIs, not one str")
        encoded = [c_string(uri, "redirect_uris") for uri in redirect_uris]
        uris = (ctypes.c_char_p * max(len(encoded), 1))(*encoded)
        metadata = _raw.mxreg_oauth_client_metadata()
        _raw.mxreg_oauth_client_metadata_init(ctypes.byref(metadata))
        metadata.client_name = c_string(client_name, "client_name")
        metadata.client_uri = c_string(client_uri, "client_uri")
        metadata.redirect_uris = ctypes.cast(uris, ctypes.POINTER(ctypes.c_char_p))
        metadata.redirect_uri_count = len(encoded)
        metadata.application_type = int(ApplicationType(application_type))
        metadata.logo_uri = c_string(logo_uri, "logo_uri")
        metadata.policy_uri = c_string(policy_uri, "policy_uri")
        metadata.tos_uri = c_string(tos_uri, "tos_uri")

        registered = ctypes.POINTER(_raw.mxreg_oauth_registered_client)()
        self._call(
            lambda server, error: _raw.mxreg_oauth_server_register_client(
                server, ctypes.byref(metadata), ctypes.byref(registered), error
            )
        )
        return read_then_free(registered, _read_registered_client, _raw.mxreg_oauth_registered_client_free)

    def start_authorization(
        self,
        client_id: str,
        redirect_uri: str,
        *,
        intent: OAuthIntent = OAuthIntent.SIGN_UP,
        device_id: str | None = None,
        login_hint: str | None = None,
        response_mode: ResponseMode = ResponseMode.QUERY,
    ) -> OAuthAuthorization:
        """Start a sign-up (default) or login: fresh PKCE verifier and state.
        No I/O. A sign-up on a server without `prompt=create` raises
        `OAuthUnsupportedError`."""
        request = _raw.mxreg_oauth_authorization_request()
        _raw.mxreg_oauth_authorization_request_init(ctypes.byref(request))
        request.client_id = c_string(client_id, "client_id")
        request.redirect_uri = c_string(redirect_uri, "redirect_uri")
        request.device_id = c_string(device_id, "device_id")
        request.login_hint = c_string(login_hint, "login_hint")
        request.intent = int(OAuthIntent(intent))
        request.response_mode = int(ResponseMode(response_mode))
        authorization = ctypes.POINTER(_raw.mxreg_oauth_authorization)()
        self._call(
            lambda server, error: _raw.mxreg_oauth_authorization_start(
                server, ctypes.byref(request), ctypes.byref(authorization), error
            )
        )
        return OAuthAuthorization(authorization)

    def start_device_authorization(self, client_id: str, *, device_id: str | None = None) -> OAuthDeviceAuthorization:
        """Start a device authorization (RFC 8628) for apps without a browser:
        the user enters the code on another device. A server without the
        grant raises `OAuthUnsupportedError`. Close the result when done."""
        client, device = c_string(client_id, "client_id"), c_string(device_id, "device_id")
        authorization = ctypes.POINTER(_raw.mxreg_oauth_device_authorization)()
        self._call(
            lambda server, error: _raw.mxreg_oauth_device_authorization_start(
                server, client, device, ctypes.byref(authorization), error
            )
        )
        return OAuthDeviceAuthorization(authorization)

    def restore_authorization(self, saved: str) -> OAuthAuthorization:
        """Continue an authorization saved with `OAuthAuthorization.save()`
        (for this same authorization server). No I/O."""
        text = c_string(saved, "saved")
        authorization = ctypes.POINTER(_raw.mxreg_oauth_authorization)()
        self._call(
            lambda server, error: _raw.mxreg_oauth_authorization_restore(server, text, ctypes.byref(authorization), error)
        )
        return OAuthAuthorization(authorization)

    def refresh_token(self, client_id: str, refresh_token: str) -> Tokens:
        """Exchange a refresh token at the token endpoint. The server rotates
        them: keep the new one; the old one raises `OAuthInvalidGrantError`."""
        client, token = c_string(client_id, "client_id"), c_string(refresh_token, "refresh_token")
        tokens = ctypes.POINTER(_raw.mxreg_tokens)()
        self._call(
            lambda server, error: _raw.mxreg_oauth_server_refresh_token(server, client, token, ctypes.byref(tokens), error)
        )
        return read_then_free(tokens, read_tokens, _raw.mxreg_tokens_free)

    def revoke_token(self, client_id: str, token: str) -> None:
        """Revoke an access or refresh token: the device is logged out.
        Revoking a token the server does not know succeeds."""
        client, value = c_string(client_id, "client_id"), c_string(token, "token")
        self._call(lambda server, error: _raw.mxreg_oauth_server_revoke_token(server, client, value, error))

