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

from . import _raw, errors
from ._handles import live_handles
from ._loader import LIBRARY_ENV, LibraryError
from ._options import ClientOptions
from .auth import AuthInfo
from .client import AccountKind, Client
from .errors import *  # noqa: F403 - every exception class, as listed in errors.__all__
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
    "ABI_VERSION",
    "AccountKind",
    "AuthInfo",
    "check_username",
    "Client",
    "ClientOptions",
    "LIBRARY_ENV",
    "library_version",
    "LibraryError",
    "live_handles",
    "OAuthAuthorization",
    "OAuthDeviceAuthorization",
    "OAuthServer",
    "Policy",
    "probe_server",
    "ProbePart",
    "Registration",
    "ServerProbe",
    "Signup",
    "SignupMethod",
    "SignupState",
    "Stage",
    "Tokens",
    "UnknownPart",
    "__version__",
]
__all__ += errors.__all__  # the exceptions, listed once where they are defined
