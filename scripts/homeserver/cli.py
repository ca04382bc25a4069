"""The rig's command line: one function per subcommand, and the parser."""

from __future__ import annotations

import argparse
import os
import subprocess
import time

from . import __doc__ as RIG_DOC
from .admin import create_registration_token, login_token
from .errors import EXIT_ALREADY_RUNNING, EXIT_FAIL, RigError, log
from .install import PINS, ensure_installed, install
from .layout import (ENTRY_POINT, HS_ROOT, OAUTH_PORT, OAUTH_PORTS, SMTP_DEFAULT_PORT, VARIANTS,
                     VENV, mail_dir, read_text, sms_dir, vdir)
from .lifecycle import admin_credentials, is_running, process_pid, running_url, start, stop
from .mail import wait_for_mail_link
from .processes import STOP_GRACE_S, parallel


def cmd_install(args) -> int:
    install(force=args.force)
    return 0


def cmd_start(args) -> int:
    ensure_installed()
    print(start(args.variant, args.port, args.smtp_port), flush=True)
    return 0


def cmd_start_all(args) -> int:
    ensure_installed()
    variants = args.variants or list(VARIANTS)
    unknown = [v for v in variants if v not in VARIANTS]
    if unknown:
        raise RigError(f"start-all: unknown variant(s) {', '.join(unknown)}; "
                       f"choose from {', '.join(VARIANTS)}")
    t0 = time.monotonic()
    results = parallel(start, variants)
    code = 0
    for v in variants:
        r = results[v]
        if isinstance(r, RigError) and r.code == EXIT_ALREADY_RUNNING:
            log(str(r))
            print(f"{v} {read_text(vdir(v) / 'url')}")
        elif isinstance(r, BaseException):
            log(f"{v}: FAILED: {r}")
            code = max(code, getattr(r, "code", EXIT_FAIL))
        else:
            print(f"{v} {r}")
    log(f"start-all: done in {time.monotonic() - t0:.1f} s")
    return code


def cmd_stop(args) -> int:
    variants = list(VARIANTS) if args.variant == "all" else [args.variant]
    if len(variants) == 1:
        stop(variants[0])
        return 0
    results = parallel(stop, variants)
    bad = [v for v, r in results.items() if isinstance(r, BaseException)]
    for v in bad:
        log(f"{v}: stop failed: {results[v]}")
    return EXIT_FAIL if bad else 0


def cmd_stop_all(args) -> int:
    args.variant = "all"
    return cmd_stop(args)


def cmd_status(args) -> int:
    for v, port in VARIANTS.items():
        pid = process_pid(v, "synapse")
        if pid is not None:
            url = read_text(vdir(v) / "url") or f"http://127.0.0.1:{port} (starting)"
            extra = ""
            if v == "email":
                spid = process_pid(v, "smtp")
                extra = f"  smtp-sink {'pid ' + str(spid) if spid else 'NOT running'}"
            if v in OAUTH_PORTS:
                opid = process_pid(v, "oauth")
                extra = f"  oauth-server {'pid ' + str(opid) if opid else 'NOT running'}"
            print(f"{v:<10} running  {url}  pid {pid}{extra}")
        else:
            print(f"{v:<10} stopped  -")
    return 0


def cmd_url(args) -> int:
    url = running_url(args.variant)
    if not url:
        log(f"{args.variant}: not running")
        return EXIT_FAIL
    print(url)
    return 0


def cmd_env(args) -> int:
    for key, value in rig_env().items():
        print(f"{key}={value}")
    return 0


def rig_env() -> dict[str, str]:
    """The variables `env` prints, as a dict."""
    out: dict[str, str] = {}
    for v in VARIANTS:
        url = running_url(v)
        if not url:
            continue
        out[f"MXREG_HS_{v.upper()}"] = url
        tok = read_text(vdir(v) / "admin_token")
        if tok:
            out[f"MXREG_HS_{v.upper()}_ADMIN_TOKEN"] = tok
        as_token = read_text(vdir(v) / "appservice_token")
        if as_token:
            out[f"MXREG_HS_{v.upper()}_APPSERVICE_TOKEN"] = as_token
        if v == "email":
            out["MXREG_MAIL_DIR"] = str(mail_dir(v))
        if v == "msisdn":
            out["MXREG_SMS_DIR"] = str(sms_dir(v))
    return out


def cmd_run(args) -> int:
    """Start the variants that are not running, run the command with the
    MXREG_HS_* variables set, then stop only what this call started."""
    if not args.command:
        raise RigError("run: give a command after --")
    command = args.command[1:] if args.command[0] == "--" else args.command
    ensure_installed()
    variants = args.variants.split(",") if args.variants else list(VARIANTS)
    started = [v for v in variants if not is_running(v)]
    try:
        if started:
            results = parallel(start, started)
            failed = {v: r for v, r in results.items() if isinstance(r, BaseException)}
            for v, r in failed.items():
                log(f"{v}: FAILED to start: {r}")
            if failed:
                return EXIT_FAIL
        env = dict(os.environ)
        env.update(rig_env())
        env["MXREG_RIG"] = str(ENTRY_POINT)
        return subprocess.call(command, env=env)
    finally:
        if started:
            parallel(stop, started)


def cmd_token_create(args) -> int:
    url, tok = admin_credentials(args.variant)
    print(create_registration_token(url, tok, args.uses, args.expiry_ms, args.token, args.exist_ok))
    return 0


def cmd_login_token(args) -> int:
    url, tok = admin_credentials(args.variant)
    print(login_token(url, tok, args.user))
    return 0


def cmd_mail_link(args) -> int:
    md = mail_dir(args.variant)
    if not md.is_dir():
        raise RigError(f"{args.variant}: no mail directory {md} (is the email variant running?)")
    print(wait_for_mail_link(md, args.to, args.since, args.timeout))
    return 0


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="homeserver.py",
        description=RIG_DOC.split("\n\n")[0] + " State lives in " + str(HS_ROOT) + ".",
        epilog="Variants: " + ", ".join(f"{v} ({port})" for v, port in VARIANTS.items())
               + f". SMTP sink for email: {SMTP_DEFAULT_PORT}; OAuth server for oauth: {OAUTH_PORT}."
                 " MXREG_RIG_PORT_OFFSET=N adds N to every port. Exit codes: 0 ok, 1 failure, "
                 "2 port in use, 3 already running.",
    )
    sub = p.add_subparsers(dest="cmd", required=True, metavar="COMMAND")
    variant_help = "one of: " + ", ".join(VARIANTS)

    def command(name: str, func, summary: str, description: str,
                variant_help: str | None = None) -> argparse.ArgumentParser:
        """A subcommand running func; with variant_help, it takes one VARIANT."""
        s = sub.add_parser(name, help=summary, description=description)
        if variant_help is not None:
            s.add_argument("variant", choices=list(VARIANTS), metavar="VARIANT", help=variant_help)
        s.set_defaults(func=func)
        return s

    s = command("install", cmd_install, "create .homeserver/venv with the pinned Synapse and aiosmtpd",
                f"Create {VENV} and pip-install {' '.join(PINS)}. "
                "Does nothing when the stamp file shows the same pins.")
    s.add_argument("--force", action="store_true", help="recreate the venv even if up to date")

    s = command("start", cmd_start, "start one variant (fresh config and database)",
                "Start a fresh Synapse for VARIANT (old data wiped), wait until it answers, create "
                "an admin user, print the base URL. Exit 3 if already running, 2 if the port is "
                "taken.", variant_help)
    s.add_argument("--port", type=int, help="listen port (default: the variant's own)")
    s.add_argument("--smtp-port", type=int,
                   help=f"SMTP sink port for the email variant (default {SMTP_DEFAULT_PORT})")

    s = command("start-all", cmd_start_all, "start all (or the given) variants concurrently",
                "Start variants in parallel on their default ports; prints 'VARIANT URL' lines. "
                "Already running variants are left alone and listed.")
    s.add_argument("variants", nargs="*", metavar="VARIANT",
                   help="subset to start (default: all): " + ", ".join(VARIANTS))

    s = command("stop", cmd_stop, "stop one variant, or all",
                "SIGTERM synapse (and the SMTP sink), SIGKILL after "
                f"{STOP_GRACE_S:.0f} s, remove pid files. Not running is fine.")
    s.add_argument("variant", choices=list(VARIANTS) + ["all"], metavar="VARIANT|all",
                   help=variant_help + ", or all")

    command("stop-all", cmd_stop_all, "stop every variant (same as 'stop all')",
            "Stop all variants in parallel.")
    command("status", cmd_status, "one line per variant: running or not, URL",
            "Print one line per variant: running/stopped, URL, pid.")
    command("url", cmd_url, "print the base URL of a running variant",
            "Print the base URL of VARIANT; exit 1 if it is not running.", variant_help)
    command("env", cmd_env, "print MXREG_HS_* lines for running variants",
            "Print MXREG_HS_<VARIANT>=<url> and MXREG_HS_<VARIANT>_ADMIN_TOKEN=<token> for each "
            "running variant, and MXREG_MAIL_DIR=<dir> when email runs (for eval or a Makefile "
            "include).")

    s = command("run", cmd_run, "run a command with homeservers up, then stop what it started",
                "Start the variants that are not running (all, or --variants), run COMMAND with "
                "MXREG_HS_* (see 'env') and MXREG_RIG (this script) in its environment, stop the "
                "variants this call started, and exit with COMMAND's status.")
    s.add_argument("--variants", metavar="V1,V2", help="comma-separated subset (default: all)")
    s.add_argument("command", nargs=argparse.REMAINDER, metavar="-- COMMAND ...")

    s = command("token-create", cmd_token_create, "create a registration token with the admin API",
                "POST /_synapse/admin/v1/registration_tokens/new on VARIANT (normally 'token') "
                "and print the token.", variant_help)
    s.add_argument("--uses", type=int, help="uses_allowed (default: unlimited)")
    s.add_argument("--expiry-ms", type=int, metavar="MS",
                   help="expire this many milliseconds from now (default: never)")
    s.add_argument("--token", help="the token string itself (default: random, chosen by Synapse)")
    s.add_argument("--exist-ok", action="store_true",
                   help="with --token: a token of that name made earlier is fine (print it)")

    s = command("login-token", cmd_login_token, "print a single-use m.login.token for a user",
                "Log in as USER through the admin API, then ask "
                "POST /_matrix/client/v1/login/get_token for a login token and print it "
                "(VARIANT normally 'open').", variant_help)
    s.add_argument("--user", required=True, metavar="USER_ID", help="full user ID, @name:localhost")

    s = command("mail-link", cmd_mail_link, "wait for a validation mail and print its link",
                "Poll the SMTP sink's mail directory for the newest mail to ADDRESS that holds a "
                ".../registration/email/submit_token link and print that link (exit 1 on "
                "timeout).", "the variant whose sink to read (normally 'email')")
    s.add_argument("--to", required=True, metavar="ADDRESS", help="recipient address")
    s.add_argument("--timeout", type=float, default=30.0, metavar="S",
                   help="seconds to wait (default 30)")
    s.add_argument("--since", type=float, metavar="UNIX_TIME",
                   help="ignore mails received before this Unix time")
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except RigError as e:
        log(str(e))
        return e.code
    except KeyboardInterrupt:
        return 130

