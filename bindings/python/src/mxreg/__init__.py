"""mxreg: create Matrix accounts from Python.

A typed binding of the mxreg C library (loaded with ctypes; set
`MXREG_LIBRARY` to load another build than the packaged one):

    import mxreg

    with mxreg.Client("https://matrix.example.org") as client:
        try:
            account = client.register("alice", "correct horse battery staple")
        except mxreg.AuthRequiredError as err:
            ...  # complete err.auth_info's stages, see mxreg.auth

`Client.signup` gives a session for multi-stage registration (tokens,
terms, email validation), `mxreg.aio.AsyncClient` offers the same calls
for asyncio, `python -m mxreg`
is a command-line front end, and `mxreg._raw` is the generated function table
of the whole C API.
"""

from __future__ import annotations

from . import _raw
from ._handles import live_handles
from ._loader import LIBRARY_ENV, LibraryError
from .auth import AuthInfo
from .client import AccountKind, Client
from .errors import (
    AppserviceLoginUnsupportedError,
    ConsentNotGivenError,
    DiscoveryFailPromptError,
    DiscoveryFailedError,
    ExclusiveError,
    GuestAccessForbiddenError,
    ResourceLimitExceededError,
    ThreepidDeniedError,
    ThreepidInUseError,
    TokenIncorrectError,
    UserLimitExceededError,
    AuthRequiredError,
    BodyTooLargeError,
    ClosedError,
    ConnectError,
    DnsError,
    ForbiddenError,
    HttpError,
    InsecureUrlError,
    InvalidArgumentError,
    InvalidResponseError,
    InvalidStateError,
    InvalidUsernameError,
    InvalidUtf8Error,
    LocalError,
    MatrixError,
    MxregError,
    NullArgumentError,
    OAuthAccessDeniedError,
    AppserviceLoginUnsupportedError,
    OAuthAuthorizationPendingError,
    OAuthError,
    OAuthExpiredTokenError,
    OAuthInvalidGrantError,
    OAuthPreferredError,
    OAuthStateMismatchError,
    OAuthUnsupportedError,
    OutcomeUnknownError,
    PanicError,
    RateLimitedError,
    RedirectError,
    RequestTimeoutError,
    ResultCode,
    ServerError,
    SessionExpiredError,
    StageRejectedError,
    StructSizeError,
    TlsError,
    TransportError,
    TransportIoError,
    UnknownTokenError,
    UnsupportedFlowError,
    UserInUseError,
    WeakPasswordError,
)
from .oauth import OAuthAuthorization, OAuthDeviceAuthorization, OAuthServer, RegisteredClient
from .precheck import check_username
from .probe import ProbePart, ServerProbe, SignupMethod, UnknownPart, probe_server
from .registration import Registration
from .signup import Policy, Signup, SignupState, Stage
from .tokens import Tokens

__version__ = _raw.MXREG_VERSION
"""The version of this package (the C header it was generated from)."""

ABI_VERSION = _raw.MXREG_ABI_VERSION


def library_version() -> str:
    """The version of the loaded native library."""
    return (_raw.mxreg_version() or b"").decode()


__all__ = [
    "AppserviceLoginUnsupportedError",
    "ConsentNotGivenError",
    "DiscoveryFailPromptError",
    "DiscoveryFailedError",
    "ExclusiveError",
    "GuestAccessForbiddenError",
    "ResourceLimitExceededError",
    "ThreepidDeniedError",
    "ThreepidInUseError",
    "TokenIncorrectError",
    "UserLimitExceededError",
    "ABI_VERSION",
    "AccountKind",
    "AuthInfo",
    "AuthRequiredError",
    "BodyTooLargeError",
    "Client",
    "ClosedError",
    "ConnectError",
    "DnsError",
    "ForbiddenError",
    "HttpError",
    "InsecureUrlError",
    "InvalidArgumentError",
    "InvalidResponseError",
    "InvalidStateError",
    "InvalidUsernameError",
    "InvalidUtf8Error",
    "LIBRARY_ENV",
    "LibraryError",
    "LocalError",
    "MatrixError",
    "MxregError",
    "NullArgumentError",
    "OAuthAccessDeniedError",
    "OAuthAuthorization",
    "OAuthDeviceAuthorization",
    "AppserviceLoginUnsupportedError",
    "OAuthAuthorizationPendingError",
    "OAuthError",
    "OAuthExpiredTokenError",
    "OAuthInvalidGrantError",
    "OAuthServer",
    "OAuthPreferredError",
    "OAuthStateMismatchError",
    "OAuthUnsupportedError",
    "OutcomeUnknownError",
    "PanicError",
    "RateLimitedError",
    "RedirectError",
    "Policy",
    "Registration",
    "RequestTimeoutError",
    "ResultCode",
    "ServerError",
    "ProbePart",
    "ServerProbe",
    "SessionExpiredError",
    "Signup",
    "SignupMethod",
    "SignupState",
    "Stage",
    "StageRejectedError",
    "StructSizeError",
    "TlsError",
    "Tokens",
    "TransportError",
    "TransportIoError",
    "UnknownTokenError",
    "UnsupportedFlowError",
    "UserInUseError",
    "WeakPasswordError",
    "__version__",
    "check_username",
    "library_version",
    "live_handles",
    "UnknownPart",
    "probe_server",
]
