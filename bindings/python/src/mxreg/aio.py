"""asyncio: `AsyncClient`, `AsyncSignup` and the OAuth wrappers run the
blocking calls of `Client`, `Signup` and `mxreg.oauth` in worker threads.

Each network method has the signature of its blocking namesake and awaits
`asyncio.to_thread`, so the event loop keeps running while the request is on
the wire. Cancelling the awaiting task does not interrupt the native call: it
finishes (or times out) in its thread and its result is dropped, so an
account may still be created after a cancellation.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable, Coroutine
from types import TracebackType
from typing import Any, Concatenate, Generic, ParamSpec, Self, TypeVar, Unpack

from . import probe
from ._handles import HandleOwner
from ._options import ClientOptions
from .auth import AuthInfo
from .client import Client
from .oauth import OAuthAuthorization, OAuthServer
from .registration import Registration
from .signup import Policy, Signup, SignupState

__all__ = ["AsyncClient", "AsyncOAuthAuthorization", "AsyncOAuthServer", "AsyncSignup", "probe_server"]

_P = ParamSpec("_P")
_R = TypeVar("_R")
_T = TypeVar("_T")
_W = TypeVar("_W")
_Blocking = TypeVar("_Blocking", bound=HandleOwner[Any])


def _in_thread(method: Callable[Concatenate[_T, _P], _R]) -> Callable[Concatenate[Any, _P], Coroutine[Any, Any, _R]]:
    """The async version of a blocking method of the object in `self.blocking`."""

    @functools.wraps(method)
    async def call(self: Any, /, *args: _P.args, **kwargs: _P.kwargs) -> _R:
        return await asyncio.to_thread(method, self.blocking, *args, **kwargs)

    return call


def _wrapping(
    method: Callable[Concatenate[_T, _P], _R], wrap: Callable[[_R], _W]
) -> Callable[Concatenate[Any, _P], _W]:
    """A method that calls the blocking method of `self.blocking` at once
    (it does no I/O) and gives its result to `wrap` (the async wrapper)."""

    @functools.wraps(method)
    def call(self: Any, /, *args: _P.args, **kwargs: _P.kwargs) -> _W:
        return wrap(method(self.blocking, *args, **kwargs))

    return call


def _function_in_thread(function: Callable[_P, _R]) -> Callable[_P, Coroutine[Any, Any, _R]]:
    """The async version of a blocking function."""

    @functools.wraps(function)
    async def call(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        return await asyncio.to_thread(function, *args, **kwargs)

    return call


probe_server = _function_in_thread(probe.probe_server)
"""As `mxreg.probe_server`, awaitable."""


class _AsyncWrapper(Generic[_Blocking]):
    """Base of the asyncio wrappers: `blocking` is the wrapped object,
    `close()` closes it and `async with` closes on exit."""

    def __init__(self, blocking: _Blocking) -> None:
        self.blocking = blocking

    # No docstring: each wrapper documents its own `close()`.
    def close(self) -> None:
        self.blocking.close()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


class AsyncSignup(_AsyncWrapper[Signup]):
    """A `Signup` for asyncio code: the steps are awaitable, the state
    properties are plain (they read local state). `blocking` is the
    underlying session. Use `async with` or call `close()`."""

    def __init__(self, signup: Signup) -> None:
        super().__init__(signup)

    @property
    def closed(self) -> bool:
        return self.blocking.closed

    def close(self) -> None:
        """Free the native session (waits for a step still running in a thread)."""
        super().close()

    @property
    def status(self) -> SignupState:
        return self.blocking.status

    @property
    def next_stage(self) -> str | None:
        return self.blocking.next_stage

    @property
    def auth_info(self) -> AuthInfo | None:
        return self.blocking.auth_info

    @property
    def fallback_url(self) -> str | None:
        return self.blocking.fallback_url

    @property
    def registration(self) -> Registration | None:
        return self.blocking.registration

    def policies(self, language: str | None = None) -> list[Policy]:
        return self.blocking.policies(language)

    def save(self) -> str:
        return self.blocking.save()

    def require_complete(self) -> Registration:
        return self.blocking.require_complete()

    start = _in_thread(Signup.start)
    submit_token = _in_thread(Signup.submit_token)
    accept_terms = _in_thread(Signup.accept_terms)
    request_email_token = _in_thread(Signup.request_email_token)
    check_email = _in_thread(Signup.check_email)
    request_msisdn_token = _in_thread(Signup.request_msisdn_token)
    submit_msisdn_code = _in_thread(Signup.submit_msisdn_code)
    submit_recaptcha = _in_thread(Signup.submit_recaptcha)
    fallback_done = _in_thread(Signup.fallback_done)
    recover = _in_thread(Signup.recover)
    submit_auth = _in_thread(Signup.submit_auth)

    async def wait_for_email(self, *, poll_interval: float = 3.0, timeout: float | None = None) -> None:
        """Poll `check_email()` until the link was followed, sleeping on the
        event loop between polls; `TimeoutError` after `timeout` seconds."""
        async with asyncio.timeout(timeout):
            while not await self.check_email():
                await asyncio.sleep(poll_interval)


class AsyncOAuthAuthorization(_AsyncWrapper[OAuthAuthorization]):
    """An `OAuthAuthorization` whose `complete()` is awaitable."""

    def __init__(self, authorization: OAuthAuthorization) -> None:
        super().__init__(authorization)
        self.url = authorization.url
        self.device_id = authorization.device_id
        self.state = authorization.state
        self.intent = authorization.intent

    def save(self) -> str:
        return self.blocking.save()

    complete = _in_thread(OAuthAuthorization.complete)


class AsyncOAuthServer(_AsyncWrapper[OAuthServer]):
    """An `OAuthServer` with awaitable network calls; `blocking` is the server."""

    def __init__(self, server: OAuthServer) -> None:
        super().__init__(server)

    register_client = _in_thread(OAuthServer.register_client)
    refresh_token = _in_thread(OAuthServer.refresh_token)
    revoke_token = _in_thread(OAuthServer.revoke_token)

    # As their `OAuthServer` namesakes (no I/O); the authorization's `complete()` is awaitable.
    start_authorization = _wrapping(OAuthServer.start_authorization, AsyncOAuthAuthorization)
    restore_authorization = _wrapping(OAuthServer.restore_authorization, AsyncOAuthAuthorization)


class AsyncClient(_AsyncWrapper[Client]):
    """A `Client` for asyncio code. Use `async with AsyncClient(url) as c:`
    or call `close()`; the constructor takes the same arguments as `Client`
    (it does no I/O). `blocking` is the underlying thread-safe client."""

    def __init__(
        self, homeserver_url: str, options: ClientOptions | None = None, **keywords: Unpack[ClientOptions]
    ) -> None:
        super().__init__(Client(homeserver_url, options, **keywords))

    @property
    def homeserver_url(self) -> str:
        return self.blocking.homeserver_url

    @property
    def closed(self) -> bool:
        return self.blocking.closed

    def close(self) -> None:
        """Release the native client (safe twice). Calls still running in
        worker threads finish first."""
        super().close()

    def __repr__(self) -> str:
        return f"<mxreg.aio.AsyncClient {self.homeserver_url}{' closed' if self.closed else ''}>"

    register = _in_thread(Client.register)
    register_guest = _in_thread(Client.register_guest)
    recover_registration = _in_thread(Client.recover_registration)
    upgrade_guest = _in_thread(Client.upgrade_guest)
    username_available = _in_thread(Client.username_available)
    registration_token_valid = _in_thread(Client.registration_token_valid)
    refresh = _in_thread(Client.refresh)
    login = _in_thread(Client.login)
    login_with_token = _in_thread(Client.login_with_token)

    # As their `Client` namesakes (no I/O); the session's steps are awaitable.
    signup = _wrapping(Client.signup, AsyncSignup)
    restore_signup = _wrapping(Client.restore_signup, AsyncSignup)

    async def discover_oauth(self) -> AsyncOAuthServer:
        """As `Client.discover_oauth`."""
        return AsyncOAuthServer(await asyncio.to_thread(self.blocking.discover_oauth))
