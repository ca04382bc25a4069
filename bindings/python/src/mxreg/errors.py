"""The exceptions mxreg raises: one class per result code, grouped by origin.

    MxregError
    ├── LocalError         the call never reached the network (codes 1..99)
    ├── TransportError     the connection failed (100..199)
    └── ServerError        the server answered with an error (200..299)

Every exception carries the result `code`, the library's `message` (which
never contains passwords or tokens), the Matrix `errcode`, the HTTP status,
the retry delay the server asked for, the server's JSON body and, for
`AuthRequiredError`, the `auth_info` of the user-interactive auth session.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ._raw import mxreg_result as ResultCode

if TYPE_CHECKING:
    from .auth import AuthInfo

__all__ = [
    "AppserviceLoginUnsupportedError",
    "AuthRequiredError",
    "BodyTooLargeError",
    "ClosedError",
    "ConnectError",
    "ConsentNotGivenError",
    "DiscoveryFailPromptError",
    "DiscoveryFailedError",
    "DnsError",
    "ExclusiveError",
    "ForbiddenError",
    "GuestAccessForbiddenError",
    "HttpError",
    "InsecureUrlError",
    "InvalidArgumentError",
    "InvalidResponseError",
    "InvalidStateError",
    "InvalidUsernameError",
    "InvalidUtf8Error",
    "LocalError",
    "MatrixError",
    "MxregError",
    "NullArgumentError",
    "OAuthAccessDeniedError",
    "OAuthAuthorizationPendingError",
    "OAuthError",
    "OAuthExpiredTokenError",
    "OAuthInvalidGrantError",
    "OAuthPreferredError",
    "OAuthStateMismatchError",
    "OAuthUnsupportedError",
    "OutcomeUnknownError",
    "PanicError",
    "RateLimitedError",
    "RedirectError",
    "RequestTimeoutError",
    "ResourceLimitExceededError",
    "ResultCode",
    "ServerError",
    "SessionExpiredError",
    "StageRejectedError",
    "StructSizeError",
    "ThreepidDeniedError",
    "ThreepidInUseError",
    "TlsError",
    "TokenIncorrectError",
    "TransportError",
    "TransportIoError",
    "UnknownTokenError",
    "UnsupportedFlowError",
    "UserInUseError",
    "UserLimitExceededError",
    "WeakPasswordError",
    "error_class",
]


class MxregError(Exception):
    """A failed mxreg call."""

    default_code: int = ResultCode.INVALID_STATE

    def __init__(
        self,
        message: str,
        *,
        code: int | None = None,
        errcode: str | None = None,
        http_status: int | None = None,
        retry_after_ms: int | None = None,
        body: Mapping[str, Any] | None = None,
        auth_info: AuthInfo | None = None,
        admin_contact: str | None = None,
        info_uri: str | None = None,
        can_upgrade: bool = False,
        consent_uri: str | None = None,
        device_id: str | None = None,
    ) -> None:
        super().__init__(message)
        raw_code = self.default_code if code is None else code
        try:
            self.code: ResultCode | int = ResultCode(raw_code)
        except ValueError:
            # A code added to a newer library: keep the number.
            self.code = raw_code
        self.message = message
        self.errcode = errcode
        self.http_status = http_status
        self.retry_after_ms = retry_after_ms
        self.body = body
        self.auth_info = auth_info
        #: `admin_contact` of `M_RESOURCE_LIMIT_EXCEEDED` (e.g. ``mailto:…``).
        self.admin_contact = admin_contact
        #: `info_uri` and `can_upgrade` of `M_USER_LIMIT_EXCEEDED`.
        self.info_uri = info_uri
        self.can_upgrade = can_upgrade
        #: `consent_uri` of `M_CONSENT_NOT_GIVEN`: the page to accept the policy.
        self.consent_uri = consent_uri
        #: For `OutcomeUnknownError` after a registration: the device it named
        #: (pass it to `Client.recover_registration`).
        self.device_id = device_id

    @property
    def retry_after(self) -> float | None:
        """Seconds the server asked to wait before retrying, or None."""
        return None if self.retry_after_ms is None else self.retry_after_ms / 1000

    def __str__(self) -> str:
        # The library's message already names the errcode, status and delay.
        return self.message

    def __repr__(self) -> str:
        code = self.code.name if isinstance(self.code, ResultCode) else self.code
        return f"{type(self).__name__}({self.message!r}, code={code}, errcode={self.errcode!r})"


class LocalError(MxregError):
    """The call was refused before any network traffic (codes 1..99)."""


class TransportError(MxregError):
    """The connection to the server failed (codes 100..199)."""


class ServerError(MxregError):
    """The server answered with an error (codes 200..299)."""


class NullArgumentError(LocalError):
    default_code = ResultCode.NULL_ARGUMENT


class InvalidUtf8Error(LocalError, ValueError):
    default_code = ResultCode.INVALID_UTF8


class InvalidArgumentError(LocalError, ValueError):
    default_code = ResultCode.INVALID_ARGUMENT


class StructSizeError(LocalError):
    default_code = ResultCode.STRUCT_SIZE


class PanicError(LocalError):
    """A bug inside mxreg, caught at the library boundary."""

    default_code = ResultCode.PANIC


class InsecureUrlError(LocalError):
    """Plain http to a host that is not loopback, without `allow_insecure_http`."""

    default_code = ResultCode.INSECURE_URL


class InvalidStateError(LocalError):
    default_code = ResultCode.INVALID_STATE


class ClosedError(InvalidStateError):
    """The object was used after `close()`."""


class UnsupportedFlowError(LocalError):
    default_code = ResultCode.UNSUPPORTED_FLOW


class OAuthStateMismatchError(LocalError):
    """An OAuth redirect whose `state` (or `iss`) does not answer this
    authorization: ignore it, it may be forged."""

    default_code = ResultCode.OAUTH_STATE_MISMATCH


class OAuthPreferredError(LocalError):
    """The server prefers OAuth 2.0 to single sign-on (`oauth_aware_preferred`):
    sign up with `discover_oauth()` instead."""

    default_code = ResultCode.OAUTH_PREFERRED


class DnsError(TransportError):
    default_code = ResultCode.DNS


class ConnectError(TransportError):
    default_code = ResultCode.CONNECT


class TlsError(TransportError):
    default_code = ResultCode.TLS


class RequestTimeoutError(TransportError):
    """No answer in time, before the request was fully sent: nothing happened."""

    default_code = ResultCode.TIMEOUT


class OutcomeUnknownError(TransportError):
    """The connection failed after the request was sent: the account may exist."""

    default_code = ResultCode.OUTCOME_UNKNOWN


class BodyTooLargeError(TransportError):
    default_code = ResultCode.BODY_TOO_LARGE


class InvalidResponseError(TransportError):
    default_code = ResultCode.INVALID_RESPONSE


class RedirectError(TransportError):
    default_code = ResultCode.REDIRECT


class TransportIoError(TransportError):
    default_code = ResultCode.IO


class MatrixError(ServerError):
    """A Matrix error without a more specific class: read `errcode`."""

    default_code = ResultCode.MATRIX_ERROR


class AuthRequiredError(ServerError):
    """The server wants user-interactive auth stages: read `auth_info`."""

    default_code = ResultCode.AUTH_REQUIRED


class RateLimitedError(ServerError):
    """Too many requests: wait `retry_after` seconds (when given) and retry."""

    default_code = ResultCode.RATE_LIMITED


class UserInUseError(ServerError):
    default_code = ResultCode.USER_IN_USE


class InvalidUsernameError(ServerError):
    default_code = ResultCode.INVALID_USERNAME


class WeakPasswordError(ServerError):
    default_code = ResultCode.WEAK_PASSWORD


class ForbiddenError(ServerError):
    default_code = ResultCode.FORBIDDEN


class UnknownTokenError(ServerError):
    default_code = ResultCode.UNKNOWN_TOKEN


class HttpError(ServerError):
    """An HTTP error status without a Matrix error body."""

    default_code = ResultCode.HTTP_ERROR


class StageRejectedError(ServerError):
    """The server did not accept a stage (wrong token, email not validated
    yet); the signup session stays usable."""

    default_code = ResultCode.STAGE_REJECTED


class SessionExpiredError(ServerError):
    """The server no longer knows the registration session: start a new one."""

    default_code = ResultCode.SESSION_EXPIRED


class OAuthUnsupportedError(ServerError):
    """The server does not offer (enough of) the OAuth 2.0 API."""

    default_code = ResultCode.OAUTH_UNSUPPORTED


class OAuthAccessDeniedError(ServerError):
    """The user or the authorization server refused the authorization."""

    default_code = ResultCode.OAUTH_ACCESS_DENIED


class OAuthInvalidGrantError(ServerError):
    """An authorization code or refresh token was refused (`invalid_grant`)."""

    default_code = ResultCode.OAUTH_INVALID_GRANT


class OAuthError(ServerError):
    """Another OAuth 2.0 error; its `error` code is in `errcode`."""

    default_code = ResultCode.OAUTH_ERROR


class ResourceLimitExceededError(ServerError):
    """The server hit a resource limit (monthly active users, disabled); `admin_contact` says whom to ask."""

    default_code = ResultCode.RESOURCE_LIMIT_EXCEEDED


class UserLimitExceededError(ServerError):
    """A user limit of the server's plan is reached; see `info_uri` and `can_upgrade`."""

    default_code = ResultCode.USER_LIMIT_EXCEEDED


class TokenIncorrectError(ServerError):
    """The validation code was wrong: ask for it again."""

    default_code = ResultCode.TOKEN_INCORRECT


class ThreepidInUseError(ServerError):
    """The email address or phone number is already bound to an account here."""

    default_code = ResultCode.THREEPID_IN_USE


class ThreepidDeniedError(ServerError):
    """The server does not accept this email address or phone number."""

    default_code = ResultCode.THREEPID_DENIED


class GuestAccessForbiddenError(ServerError):
    """Guest access is disabled on this server."""

    default_code = ResultCode.GUEST_ACCESS_FORBIDDEN


class ExclusiveError(ServerError):
    """The user ID is reserved by an application service."""

    default_code = ResultCode.EXCLUSIVE


class ConsentNotGivenError(ServerError):
    """The user must first accept the server's policy at `consent_uri`."""

    default_code = ResultCode.CONSENT_NOT_GIVEN


class AppserviceLoginUnsupportedError(ServerError):
    """The server does not support this application-service registration or login."""

    default_code = ResultCode.APPSERVICE_LOGIN_UNSUPPORTED


class DiscoveryFailPromptError(ServerError):
    """`.well-known` discovery failed on invalid data: ask the user for the homeserver URL."""

    default_code = ResultCode.DISCOVERY_FAIL_PROMPT


class DiscoveryFailedError(ServerError):
    """`.well-known` named a homeserver that is not valid: stop, guess no other URL."""

    default_code = ResultCode.DISCOVERY_FAIL_ERROR


class OAuthAuthorizationPendingError(ServerError):
    """The user has not approved the device authorization yet (`errcode`
    `authorization_pending`, or `slow_down`): poll again after the interval."""

    default_code = ResultCode.OAUTH_AUTHORIZATION_PENDING


class OAuthExpiredTokenError(ServerError):
    """The device code expired before the user approved it: start anew."""

    default_code = ResultCode.OAUTH_EXPIRED_TOKEN


_BY_CODE: dict[int, type[MxregError]] = {
    cls.default_code: cls
    for cls in (
        NullArgumentError,
        InvalidUtf8Error,
        InvalidArgumentError,
        StructSizeError,
        PanicError,
        InsecureUrlError,
        InvalidStateError,
        UnsupportedFlowError,
        OAuthStateMismatchError,
        OAuthPreferredError,
        DnsError,
        ConnectError,
        TlsError,
        RequestTimeoutError,
        OutcomeUnknownError,
        BodyTooLargeError,
        InvalidResponseError,
        RedirectError,
        TransportIoError,
        MatrixError,
        AuthRequiredError,
        RateLimitedError,
        UserInUseError,
        InvalidUsernameError,
        WeakPasswordError,
        ForbiddenError,
        UnknownTokenError,
        HttpError,
        StageRejectedError,
        SessionExpiredError,
        OAuthUnsupportedError,
        OAuthAccessDeniedError,
        OAuthInvalidGrantError,
        OAuthError,
        ResourceLimitExceededError,
        UserLimitExceededError,
        TokenIncorrectError,
        ThreepidInUseError,
        ThreepidDeniedError,
        GuestAccessForbiddenError,
        ExclusiveError,
        ConsentNotGivenError,
        AppserviceLoginUnsupportedError,
        DiscoveryFailPromptError,
        DiscoveryFailedError,
        OAuthAuthorizationPendingError,
        OAuthExpiredTokenError,
    )
}


def error_class(code: int) -> type[MxregError]:
    """The exception class for a result code; a code this package does not
    know yet gets the class of its range."""
    known = _BY_CODE.get(code)
    if known is not None:
        return known
    if code < 100:
        return LocalError
    if code < 200:
        return TransportError
    if code < 300:
        return ServerError
    return MxregError
