"""`python -m mxreg`: Matrix account tools on the command line.

Prints JSON on stdout (tokens only with --show-tokens); on failure prints
`mxreg: <RESULT>: <errcode>: <message>` on stderr, then what the server
attached to it (admin contact, info URI, consent URI), and exits non-zero
(1: the call failed, 2: bad command line, 3: the probe could not find out
every part; its JSON says which under "unknown"). Progress that needs the
user (a validation mail to follow) goes to stderr.
"""

from __future__ import annotations

import argparse
import getpass
import json
import os
import sys
from collections.abc import Sequence
from typing import Any

from . import auth
from ._loader import LibraryError
from .client import Client
from .errors import MxregError, ResultCode, UnsupportedFlowError
from .probe import SignupMethod, probe_server
from .registration import Registration
from .signup import Signup, SignupState, Stage

EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_INCOMPLETE = 3
PASSWORD_ENV = "MXREG_PASSWORD"
# Synapse answers /register/available about once a second per address.
AVAILABLE_RATE_LIMIT_WAIT_S = 30.0
# What `oauth-device` registers itself as, unless told otherwise. The
# redirect URI is never used by the device grant, but registration needs one.
DEVICE_CLIENT_NAME = "mxreg command line"
DEVICE_CLIENT_URI = "https://mxreg.invalid/"
DEVICE_REDIRECT_URI = "http://127.0.0.1/callback"
# More stages than any real flow has: a server that keeps asking is broken.
MAX_STAGES = 10


class UsageError(Exception):
    """A command line that cannot work (exit 2)."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m mxreg",
        description="Create Matrix accounts through the mxreg library. Prints JSON on stdout.",
    )
    connection = argparse.ArgumentParser(add_help=False)
    connection.add_argument(
        "--allow-insecure-http", action="store_true", help="allow http:// to a host that is not loopback"
    )
    connection.add_argument(
        "--rate-limit-wait",
        type=float,
        metavar="S",
        help="when rate-limited, wait as the server asks, up to S seconds in all",
    )
    connection.add_argument(
        "--call-timeout",
        type=float,
        metavar="S",
        help="give up on a call after S seconds in all, however many requests it sends (default 60)",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    probe = commands.add_parser(
        "probe", parents=[connection], help="what sign-up does a server offer?"
    )
    probe.add_argument("server", metavar="SERVER", help="a server name (example.org) or a homeserver URL")
    probe.add_argument(
        "--check-guest-access", action="store_true", help="also try a guest registration (creates a guest account)"
    )
    probe.set_defaults(run=run_probe, rate_limit_default=None)

    available = commands.add_parser(
        "available", parents=[connection], help="is a username free on the server?"
    )
    available.add_argument("--homeserver", required=True, metavar="URL", help="homeserver base URL")
    available.add_argument("username", metavar="USERNAME", help="the localpart to check")
    available.set_defaults(run=run_available, rate_limit_default=AVAILABLE_RATE_LIMIT_WAIT_S)

    token_valid = commands.add_parser(
        "token-valid", parents=[connection], help="does the server accept a registration token?"
    )
    token_valid.add_argument("--homeserver", required=True, metavar="URL", help="homeserver base URL")
    token_valid.add_argument("token", metavar="TOKEN", help="the registration token")
    token_valid.set_defaults(run=run_token_valid, rate_limit_default=None)

    register = commands.add_parser(
        "register",
        parents=[connection],
        help="register an account, completing every stage the server asks for",
        description="Register an account, walking every stage the server asks for: "
        "m.login.dummy, m.login.registration_token (--token), m.login.terms (--accept-terms) "
        "and m.login.email.identity (--email: sends the mail, then waits until its link was followed, "
        "or reads the mailed code from standard input when the server asks for one).",
    )
    register.add_argument("--homeserver", required=True, metavar="URL", help="homeserver base URL")
    register.add_argument("--username", metavar="U", help="the localpart (for --upgrade-guest: the guest's)")
    register.add_argument(
        "--password", metavar="P", help=f"the password (or set ${PASSWORD_ENV}, which keeps it out of `ps`)"
    )
    register.add_argument("--token", metavar="T", help="a registration token, for servers that require one")
    register.add_argument("--accept-terms", action="store_true", help="accept the server's terms (m.login.terms)")
    register.add_argument("--email", metavar="ADDRESS", help="validate this address, for servers that require one")
    register.add_argument(
        "--email-poll-interval", type=float, default=3.0, metavar="S", help="seconds between checks (default 3)"
    )
    register.add_argument("--guest", action="store_true", help="register a guest account (no username or password)")
    register.add_argument(
        "--upgrade-guest", metavar="GUEST_ACCESS_TOKEN", help="turn this guest into a full account (--username: its localpart)"
    )
    register.add_argument("--inhibit-login", action="store_true", help="create the account without logging in")
    register.add_argument("--no-refresh", action="store_true", help="do not ask for a refresh token")
    register.add_argument("--device-id", metavar="D", help="the device ID to use")
    register.add_argument("--device-name", metavar="N", help="the new device's display name")
    register.add_argument("--show-tokens", action="store_true", help="include the access and refresh tokens")
    register.set_defaults(run=run_register, rate_limit_default=None)

    login = commands.add_parser(
        "login",
        parents=[connection],
        help="log in to an existing account with its password",
        description=f"Log in with m.login.password. The password comes from ${PASSWORD_ENV} "
        "(--password-env requires it), else from a prompt; --password puts it on the command line, "
        "where `ps` shows it.",
    )
    login.add_argument("--homeserver", required=True, metavar="URL", help="homeserver base URL")
    login.add_argument("--username", required=True, metavar="U", help="a localpart or a full user ID")
    login.add_argument("--password-env", action="store_true", help=f"read the password from ${PASSWORD_ENV} only")
    login.add_argument("--password", metavar="P", help="the password itself (visible to other users of the machine)")
    _add_device_options(login)
    login.set_defaults(run=run_login, rate_limit_default=None)

    device = commands.add_parser(
        "oauth-device",
        parents=[connection],
        help="sign in without a browser here: OAuth 2.0 device authorization (RFC 8628)",
        description="Register this command as an OAuth client (unless --client-id), show the user "
        "code and the URL on stderr, wait until the user approved it on another device, and print "
        "the account.",
    )
    device.add_argument("--homeserver", required=True, metavar="URL", help="homeserver base URL")
    device.add_argument("--client-id", metavar="ID", help="a client ID registered before (default: register one)")
    device.add_argument("--client-name", default=DEVICE_CLIENT_NAME, metavar="NAME", help="the name the user is shown")
    device.add_argument(
        "--client-uri", default=DEVICE_CLIENT_URI, metavar="URL", help="the app's web page (https) for the consent page"
    )
    device.add_argument("--device-id", metavar="D", help="the device ID to use")
    device.add_argument("--show-tokens", action="store_true", help="include the access and refresh tokens")
    device.set_defaults(run=run_oauth_device, rate_limit_default=None)

    sso_url = commands.add_parser(
        "sso-url",
        parents=[connection],
        help="print the single sign-on URL to open in a browser (m.login.sso)",
        description="Check on GET /login that the server offers SSO (and the identity provider), "
        "then print the URL as JSON. The browser comes back to --redirect-url with a loginToken: "
        "redeem it with sso-complete. A user's first sign-in creates the account.",
    )
    sso_url.add_argument("--homeserver", required=True, metavar="URL", help="homeserver base URL")
    sso_url.add_argument("--redirect-url", required=True, metavar="URL", help="where the browser returns (absolute)")
    sso_url.add_argument("--idp", metavar="ID", help="an identity provider ID (see probe; default: the server's choice)")
    sso_url.add_argument("--login", action="store_true", help="ask for a sign-in page, not a sign-up page")
    sso_url.set_defaults(run=run_sso_url, rate_limit_default=None)

    sso_complete = commands.add_parser(
        "sso-complete",
        parents=[connection],
        help="redeem the loginToken of an SSO redirect (m.login.token)",
    )
    sso_complete.add_argument("--homeserver", required=True, metavar="URL", help="homeserver base URL")
    sso_complete.add_argument("--login-token", required=True, metavar="T", help="the loginToken the redirect brought")
    _add_device_options(sso_complete)
    sso_complete.set_defaults(run=run_sso_complete, rate_limit_default=None)
    return parser


def _add_device_options(command: argparse.ArgumentParser) -> None:
    command.add_argument("--no-refresh", action="store_true", help="do not ask for a refresh token")
    command.add_argument("--device-id", metavar="D", help="the device ID to use")
    command.add_argument("--device-name", metavar="N", help="the new device's display name")
    command.add_argument("--show-tokens", action="store_true", help="include the access and refresh tokens")


def _rate_limit_wait(args: argparse.Namespace) -> float | None:
    wait: float | None = args.rate_limit_wait if args.rate_limit_wait is not None else args.rate_limit_default
    return wait if wait else None


def _client(args: argparse.Namespace) -> Client:
    return Client(
        args.homeserver,
        allow_insecure_http=args.allow_insecure_http,
        rate_limit_max_wait=_rate_limit_wait(args),
        call_timeout=args.call_timeout,
    )


def _note(message: str) -> None:
    print(f"mxreg: {message}", file=sys.stderr, flush=True)


def run_probe(args: argparse.Namespace) -> dict[str, Any]:
    found = probe_server(
        args.server,
        check_guest_access=args.check_guest_access,
        allow_insecure_http=args.allow_insecure_http,
        rate_limit_max_wait=_rate_limit_wait(args),
        call_timeout=args.call_timeout,
    )
    for unknown in found.unknown:
        _note(f"could not find out {str(unknown.part.name).lower()}: {unknown.message} ({unknown.code.name})")
    output = dict(found.details)
    output["homeserver_url"] = found.homeserver_url
    output["signup_methods"] = [method.name for method in SignupMethod if method in found.signup_methods]
    return output


def run_available(args: argparse.Namespace) -> dict[str, Any]:
    with _client(args) as client:
        return {"username": args.username, "available": client.username_available(args.username)}


def run_token_valid(args: argparse.Namespace) -> dict[str, Any]:
    with _client(args) as client:
        return {"valid": client.registration_token_valid(args.token)}


def run_register(args: argparse.Namespace) -> dict[str, Any]:
    if args.guest and (args.upgrade_guest or args.username or args.password or args.token or args.email):
        raise UsageError("--guest takes no --username, --password, --token, --email or --upgrade-guest")
    password = None if args.guest else (args.password or os.environ.get(PASSWORD_ENV))
    if not args.guest and (not args.username or not password):
        raise UsageError(f"register needs --username and --password (or ${PASSWORD_ENV}), or --guest")
    if args.email_poll_interval <= 0:
        raise UsageError("--email-poll-interval must be positive")

    with _client(args) as client:
        if args.guest:
            registration = client.register_guest(
                device_name=args.device_name, inhibit_login=args.inhibit_login, refresh_token=not args.no_refresh
            )
        else:
            stages = Stage.DUMMY
            if args.token is not None:
                stages |= Stage.REGISTRATION_TOKEN
            if args.accept_terms:
                stages |= Stage.TERMS
            if args.email is not None:
                stages |= Stage.EMAIL
            with client.signup(
                args.username,
                password,
                stages=stages,
                device_id=args.device_id,
                device_name=args.device_name,
                inhibit_login=args.inhibit_login,
                refresh_token=not args.no_refresh,
                guest_access_token=args.upgrade_guest,
            ) as signup:
                try:
                    signup.start()
                except UnsupportedFlowError as err:
                    raise UnsupportedFlowError(
                        f"{err.message} (pass --token, --accept-terms or --email for the stages you can complete)",
                        code=err.code,
                    ) from None
                _walk_stages(signup, args)
                registration = signup.require_complete()
        return _account_output(client, registration, args)


def _login_password(args: argparse.Namespace) -> str:
    if args.password_env and args.password is not None:
        raise UsageError("--password-env and --password exclude each other")
    if args.password is not None:
        return str(args.password)
    from_env = os.environ.get(PASSWORD_ENV)
    if args.password_env and not from_env:
        raise UsageError(f"--password-env: ${PASSWORD_ENV} is not set")
    return from_env or getpass.getpass(f"Password for {args.username}: ")


def _account_output(client: Client, account: Registration, args: argparse.Namespace) -> dict[str, Any]:
    output = account.to_dict(show_tokens=args.show_tokens)
    output["homeserver"] = client.homeserver_url
    return output


def run_login(args: argparse.Namespace) -> dict[str, Any]:
    password = _login_password(args)
    with _client(args) as client:
        account = client.login(
            args.username,
            password,
            device_id=args.device_id,
            device_name=args.device_name,
            refresh_token=not args.no_refresh,
        )
        return _account_output(client, account, args)


def run_sso_url(args: argparse.Namespace) -> dict[str, Any]:
    with _client(args) as client:
        return {"url": client.sso_url(args.redirect_url, idp_id=args.idp, login=args.login)}


def run_sso_complete(args: argparse.Namespace) -> dict[str, Any]:
    with _client(args) as client:
        account = client.login_with_token(
            args.login_token, device_id=args.device_id, device_name=args.device_name, refresh_token=not args.no_refresh
        )
        return _account_output(client, account, args)


def run_oauth_device(args: argparse.Namespace) -> dict[str, Any]:
    with _client(args) as client, client.discover_oauth() as server:
        client_id = args.client_id or server.register_client(
            client_uri=args.client_uri, redirect_uris=[DEVICE_REDIRECT_URI], client_name=args.client_name
        ).client_id
        with server.start_device_authorization(client_id, device_id=args.device_id) as device:
            _note(f"to sign in, open {device.verification_uri} and enter the code {device.user_code}")
            if device.verification_uri_complete:
                _note(f"or open {device.verification_uri_complete}")
            _note("waiting for the approval...")
            account = device.wait()
        output = _account_output(client, account, args)
        output["client_id"] = client_id
        return output


def _failure_line(err: MxregError) -> str:
    """`USER_IN_USE: M_USER_IN_USE: ...`: the result's name, then the errcode
    (when the message does not already start with it), then the message."""
    name = err.code.name if isinstance(err.code, ResultCode) else str(err.code)
    message = err.message
    if err.errcode and err.errcode not in message:
        message = f"{err.errcode}: {message}"
    return f"{name}: {message}"


def _walk_stages(signup: Signup, args: argparse.Namespace) -> None:
    """Answer each stage the server asks for until the account exists."""
    for _ in range(MAX_STAGES):
        if signup.status is not SignupState.NEEDS_STAGE:
            return
        stage = signup.next_stage
        if stage == auth.REGISTRATION_TOKEN and args.token is not None:
            signup.submit_token(args.token)
        elif stage == auth.TERMS and args.accept_terms:
            for policy in signup.policies():
                _note(f"accepting {policy.name} (version {policy.version}): {policy.url}")
            signup.accept_terms()
        elif stage == auth.EMAIL_IDENTITY and args.email is not None:
            signup.request_email_token(args.email)
            if signup.email_submit_url is not None:
                # The server mailed a code to type in rather than a link.
                _note(f"a code was mailed to {args.email}: type it and press Enter")
                signup.submit_email_code(sys.stdin.readline().strip())
            else:
                _note(f"a validation mail was sent to {args.email}: follow its link; waiting until it is followed...")
                signup.wait_for_email(poll_interval=args.email_poll_interval)
            _note("email address validated")
        else:
            raise UnsupportedFlowError(f"the server asks for {stage}, which this command cannot complete")
    raise UnsupportedFlowError(f"the server still asked for stages after {MAX_STAGES}")


def _note_error_detail(err: MxregError) -> None:
    """The payloads some errors carry, one per line."""
    if err.admin_contact:
        _note(f"administrator contact: {err.admin_contact}")
    if err.info_uri:
        upgrade = " (an upgrade lifts the limit)" if err.can_upgrade else ""
        _note(f"more information: {err.info_uri}{upgrade}")
    if err.consent_uri:
        _note(f"accept the policy first: {err.consent_uri}")
    if err.device_id:
        _note(f"the lost registration named device {err.device_id}")


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        output = args.run(args)
    except UsageError as err:
        _note(str(err))
        return EXIT_USAGE
    except MxregError as err:
        _note(_failure_line(err))
        _note_error_detail(err)
        return EXIT_FAILED
    except LibraryError as err:
        _note(str(err))
        return EXIT_FAILED
    except ValueError as err:  # a NUL character or an out-of-range option
        _note(str(err))
        return EXIT_USAGE
    except KeyboardInterrupt:
        _note("interrupted")
        return 130
    json.dump(output, sys.stdout, indent=2)
    sys.stdout.write("\n")
    # A probe that could not find out every part is no answer to rely on.
    return EXIT_INCOMPLETE if output.get("unknown") else 0
