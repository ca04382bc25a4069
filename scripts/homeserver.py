#!/usr/bin/env python3
"""Real-homeserver test rig for mxreg: local Synapse servers on loopback.

Runs throw-away Synapse homeservers (SQLite, 127.0.0.1 only, no federation,
no outbound traffic) in several registration configurations, so that the
integration tests can register accounts against a real server.

Everything lives under ``.homeserver/`` next to the repository root (resolved
from this script's location, never from the current directory):

    .homeserver/venv/                 virtualenv with the pinned Synapse
    .homeserver/<variant>/            config, SQLite db, homeserver.log,
                                      synapse.pid, url, admin_token
    .homeserver/email/mail/           *.eml files caught by the SMTP sink
    .homeserver/oauth/                also oauth.log, oauth.pid, mas_secret
    scripts/oauth/node_modules/       the OAuth server's npm packages

Variants (default port):

    open      18101  open registration (m.login.dummy), guests, password policy,
                     login tokens from POST /login/get_token
    token     18102  registration_requires_token (m.login.registration_token)
    email     18103  registrations_require_3pid [email]; SMTP sink on 18125
    terms     18104  user_consent at registration (m.login.terms)
    ratelimit 18105  as open, rc_registration per_second 0.1 burst_count 2
    closed    18106  enable_registration false (403)
    stress    18107  as open with every rate limit lifted very high
    oauth     18108  auth delegated (matrix_authentication_service) to a local
                     OAuth 2.0 server (scripts/oauth, Node.js) on 18109;
                     an application service (@mxregbot_*)
    limited   18111  hs_disabled with an admin_contact: every registration
                     fails with M_RESOURCE_LIMIT_EXCEEDED (no admin account)
    captcha   18112  enable_registration_captcha (m.login.recaptcha); Google's
                     siteverify stood in for on 18126 (homeserver/recaptcha_verify.py:
                     the response "captcha-ok" passes)
    msisdn    18113  registrations_require_3pid [msisdn] with
                     account_threepid_delegates.msisdn on a stand-in identity
                     service on 18127 (homeserver/msisdn_identity.py: the code
                     "texted" to a number is in <variant>/sms/<digits>.code)
    sso       18114  SSO only (m.login.sso, idp "oidc-rig"): Synapse's OIDC
                     login with the rig's OAuth server on 18115 as upstream
                     identity provider; a user's first sign-in creates the
                     account (localpart = the provider's preferred_username)

Typical use:

    scripts/homeserver.py install
    scripts/homeserver.py start open          # prints http://127.0.0.1:18101
    eval "$(scripts/homeserver.py env)"       # MXREG_HS_OPEN=... etc.
    scripts/homeserver.py token-create token --uses 1
    scripts/homeserver.py mail-link email --to a@example.org
    scripts/homeserver.py login-token open --user @alice:localhost
    scripts/homeserver.py stop all

MXREG_RIG_PORT_OFFSET=N adds N to every port (default 0).

Exit codes: 0 ok, 1 failure, 2 port already in use by something else,
3 variant already running.

Standard library only (Python 3.11); Synapse and aiosmtpd run from the venv.
"""

from __future__ import annotations

import argparse
import base64
import concurrent.futures
import contextlib
import email
import email.policy
import email.utils
import fcntl
import hashlib
import hmac
import html
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

SCRIPT_DIR = Path(__file__).resolve().parent
REPO_ROOT = SCRIPT_DIR.parent
HS_ROOT = REPO_ROOT / ".homeserver"
VENV = HS_ROOT / "venv"
VENV_PY = VENV / "bin" / "python"
STAMP = VENV / "mxreg-install-stamp.json"
TEMPLATES = SCRIPT_DIR / "homeserver"

PINS = ["matrix-synapse[oidc]==1.163.2", "aiosmtpd==1.4.6"]

# MXREG_RIG_PORT_OFFSET shifts every port below, so that two checkouts (or a
# checkout and a user's own servers) can run their rigs side by side.
PORT_OFFSET = int(os.environ.get("MXREG_RIG_PORT_OFFSET", "0"))
VARIANTS = {
    variant: port + PORT_OFFSET
    for variant, port in {
        "open": 18101,
        "token": 18102,
        "email": 18103,
        "terms": 18104,
        "ratelimit": 18105,
        "closed": 18106,
        "stress": 18107,
        "oauth": 18108,
        "limited": 18111,
        "captcha": 18112,
        "msisdn": 18113,
        "sso": 18114,
    }.items()
}
SMTP_DEFAULT_PORT = 18125 + PORT_OFFSET
OAUTH_PORT = 18109 + PORT_OFFSET
# Each variant with an OAuth server runs its own: oauth's is the server auth
# is delegated to, sso's the upstream identity provider of Synapse's OIDC login.
OAUTH_PORTS = {"oauth": OAUTH_PORT, "sso": 18115 + PORT_OFFSET}
SSO_IDP_ID = "oidc-rig"
SSO_CLIENT_ID = "synapse-sso"
# The stand-ins for services outside the homeserver (Google's captcha check,
# a phone company behind an identity service): script and port per variant.
STUBS = {
    "captcha": ("recaptcha_verify.py", 18126 + PORT_OFFSET),
    "msisdn": ("msisdn_identity.py", 18127 + PORT_OFFSET),
}
RECAPTCHA_PRIVATE_KEY = "mxreg-rig-recaptcha-private-key"
OAUTH_DIR = SCRIPT_DIR / "oauth"

READY_TIMEOUT_S = 90.0
STOP_GRACE_S = 10.0

ADMIN_USER = "admin"
ADMIN_PASSWORD = "admin-password-1"

EXIT_FAIL = 1
EXIT_PORT_IN_USE = 2
EXIT_ALREADY_RUNNING = 3

_print_lock = threading.Lock()


class RigError(Exception):
    """A failure with a message and an exit code."""

    def __init__(self, message: str, code: int = EXIT_FAIL):
        super().__init__(message)
        self.code = code


def log(msg: str) -> None:
    with _print_lock:
        print(msg, file=sys.stderr, flush=True)


# --------------------------------------------------------------------------
# paths and state
# --------------------------------------------------------------------------


def vdir(variant: str) -> Path:
    return HS_ROOT / variant


def synapse_pidfile(variant: str) -> Path:
    return vdir(variant) / "synapse.pid"


def smtp_pidfile(variant: str) -> Path:
    return vdir(variant) / "smtp.pid"


def oauth_pidfile(variant: str) -> Path:
    return vdir(variant) / "oauth.pid"


def stub_pidfile(variant: str) -> Path:
    return vdir(variant) / "stub.pid"


def sms_dir(variant: str = "msisdn") -> Path:
    return vdir(variant) / "sms"


def mail_dir(variant: str = "email") -> Path:
    return vdir(variant) / "mail"


def read_text(path: Path) -> str | None:
    try:
        return path.read_text().strip()
    except OSError:
        return None


def pid_alive(pid: int, must_contain: str | None = None) -> bool:
    """True if pid is a live (non-zombie) process whose cmdline contains must_contain."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass
    proc = Path(f"/proc/{pid}")
    if proc.exists():
        try:
            stat = (proc / "stat").read_text()
            state = stat.rsplit(")", 1)[1].split()[0]
            if state in ("Z", "X"):
                return False
            if must_contain is not None:
                cmdline = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
                return must_contain in cmdline
        except (OSError, IndexError):
            return False
    return True


def read_pid(pidfile: Path, must_contain: str | None) -> int | None:
    text = read_text(pidfile)
    if not text:
        return None
    try:
        pid = int(text)
    except ValueError:
        return None
    return pid if pid_alive(pid, must_contain) else None


def config_path(variant: str) -> Path:
    return vdir(variant) / "homeserver.yaml"


def synapse_pid(variant: str) -> int | None:
    return read_pid(synapse_pidfile(variant), str(config_path(variant)))


def smtp_pid(variant: str) -> int | None:
    return read_pid(smtp_pidfile(variant), "smtp_sink.py")


def stub_pid(variant: str) -> int | None:
    return read_pid(stub_pidfile(variant), STUBS[variant][0] if variant in STUBS else None)


def oauth_pid(variant: str) -> int | None:
    return read_pid(oauth_pidfile(variant), str(OAUTH_DIR / "server.mjs"))


def is_running(variant: str) -> bool:
    return synapse_pid(variant) is not None


def running_url(variant: str) -> str | None:
    if not is_running(variant):
        return None
    return read_text(vdir(variant) / "url")


@contextlib.contextmanager
def variant_lock(variant: str):
    """Serialise start/stop of one variant (or another shared step, by
    name) between concurrent invocations and threads."""
    HS_ROOT.mkdir(parents=True, exist_ok=True)
    with open(HS_ROOT / f".{variant}.lock", "w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def port_free(port: int) -> bool:
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(("127.0.0.1", port))
        return True
    except OSError:
        return False
    finally:
        s.close()


# --------------------------------------------------------------------------
# install
# --------------------------------------------------------------------------


def _stamp_wanted() -> dict:
    return {"pins": PINS}


def is_installed() -> bool:
    if not VENV_PY.exists():
        return False
    try:
        return json.loads(STAMP.read_text()) == _stamp_wanted()
    except (OSError, ValueError):
        return False


def install(force: bool = False) -> None:
    if not force and is_installed():
        log(f"install: already done ({', '.join(PINS)} in {VENV})")
        return
    HS_ROOT.mkdir(parents=True, exist_ok=True)
    t0 = time.monotonic()
    # The venv keeps its own interpreter; recreate it only when that one is broken.
    venv_ok = VENV_PY.exists() and subprocess.run(
        [str(VENV_PY), "-c", "import sys; assert sys.version_info >= (3, 10)"],
        capture_output=True).returncode == 0
    if force or not venv_ok:
        log(f"install: creating virtualenv {VENV}")
        subprocess.run([sys.executable, "-m", "venv", "--clear", str(VENV)], check=True,
                       stdout=sys.stderr)
    with contextlib.suppress(FileNotFoundError):
        STAMP.unlink()
    log(f"install: pip install {' '.join(PINS)}")
    r = subprocess.run([str(VENV_PY), "-m", "pip", "install", "--disable-pip-version-check",
                        "--progress-bar", "off", *PINS], stdout=sys.stderr)
    if r.returncode != 0:
        raise RigError(f"install: pip failed (exit {r.returncode})")
    r = subprocess.run([str(VENV_PY), "-c",
                        "import synapse, aiosmtpd; print(synapse.__version__, aiosmtpd.__version__)"],
                       capture_output=True, text=True)
    if r.returncode != 0:
        raise RigError(f"install: import check failed:\n{r.stderr}")
    log(f"install: synapse {r.stdout.strip()} ok in {time.monotonic() - t0:.1f} s")
    STAMP.write_text(json.dumps(_stamp_wanted()) + "\n")


def ensure_installed() -> None:
    if not is_installed():
        log("venv missing or out of date: running install first")
        install()


def ensure_oauth_modules() -> None:
    """Check Node.js, then `npm ci` the OAuth server's packages when
    node_modules does not match the committed package-lock.json."""
    npm, node = shutil.which("npm"), shutil.which("node")
    if not npm or not node:
        raise RigError("oauth: Node.js >= 20 and npm are needed for the OAuth server (scripts/oauth)")
    version = subprocess.run([node, "--version"], capture_output=True, text=True).stdout.strip()
    # oidc-provider 9 needs Node 20.18+ (URL.parse); it warns below 22 and works.
    if not re.fullmatch(r"v\d+\..*", version) or int(version[1:].split(".")[0]) < 20:
        raise RigError(f"oauth: Node.js {version or '?'} is too old for oidc-provider 9 (need >= 20)")
    lock = OAUTH_DIR / "package-lock.json"
    stamp = OAUTH_DIR / "node_modules" / ".mxreg-lock-sha256"
    wanted = hashlib.sha256(lock.read_bytes()).hexdigest()
    # The oauth and sso variants start in parallel: one npm ci at a time.
    with variant_lock("npm-ci"):
        if read_text(stamp) == wanted:
            return
        log(f"oauth: npm ci in {OAUTH_DIR}")
        r = subprocess.run([npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=OAUTH_DIR,
                           stdout=sys.stderr)
        if r.returncode != 0:
            raise RigError(f"oauth: npm ci failed (exit {r.returncode})")
        stamp.write_text(wanted + "\n")


# --------------------------------------------------------------------------
# config generation
# --------------------------------------------------------------------------

LENIENT = {"per_second": 50, "burst_count": 500}
HUGE = {"per_second": 100000, "burst_count": 1000000}


def _rate_limits(variant: str) -> dict:
    if variant == "stress":
        return {
            "rc_message": HUGE,
            "rc_registration": HUGE,
            "rc_registration_token_validity": HUGE,
            "rc_login": {"address": HUGE, "account": HUGE, "failed_attempts": HUGE},
            "rc_admin_redaction": HUGE,
            "rc_joins": {"local": HUGE, "remote": HUGE},
            "rc_joins_per_room": HUGE,
            "rc_3pid_validation": HUGE,
            "rc_invites": {"per_room": HUGE, "per_user": HUGE, "per_issuer": HUGE},
            "rc_third_party_invite": HUGE,
            "rc_media_create": HUGE,
            "rc_key_requests": HUGE,
            "rc_presence": {"per_user": HUGE},
            "rc_delayed_event_mgmt": HUGE,
            "rc_reports": HUGE,
            "rc_room_creation": HUGE,
            "rc_user_directory": HUGE,
            "rc_profile": HUGE,
        }
    if variant == "ratelimit":
        return {"rc_registration": {"per_second": 0.1, "burst_count": 2}}
    # Lenient limits so that a test suite's logins / token checks / 3pid
    # requests against the same server do not trip Synapse's low defaults.
    return {
        "rc_registration": LENIENT,
        "rc_registration_token_validity": LENIENT,
        "rc_login": {"address": LENIENT, "account": LENIENT, "failed_attempts": LENIENT},
        "rc_3pid_validation": LENIENT,
    }


def build_config(variant: str, port: int, smtp_port: int) -> dict:
    d = vdir(variant)
    base_url = f"http://127.0.0.1:{port}"
    resources = ["client"] + (["consent"] if variant == "terms" else [])
    cfg: dict = {
        "server_name": "localhost",
        "public_baseurl": base_url + "/",
        "pid_file": str(d / "synapse-internal.pid"),
        "listeners": [{
            "port": port,
            "bind_addresses": ["127.0.0.1"],
            "type": "http",
            "tls": False,
            "x_forwarded": False,
            "resources": [{"names": resources, "compress": False}],
        }],
        "database": {"name": "sqlite3", "args": {"database": str(d / "homeserver.db")}},
        "media_store_path": str(d / "media_store"),
        "signing_key_path": str(d / "localhost.signing.key"),
        "registration_shared_secret": secrets.token_hex(24),
        "macaroon_secret_key": secrets.token_hex(24),
        "form_secret": secrets.token_hex(24),
        "bcrypt_rounds": 4,
        "report_stats": False,
        "enable_metrics": False,
        # no federation, no outbound traffic
        "trusted_key_servers": [],
        "suppress_key_server_warning": True,
        "federation_domain_whitelist": [],
        "allow_public_rooms_over_federation": False,
        "url_preview_enabled": False,
        "push": {"enabled": False},
        "presence": {"enabled": False},
        "enable_3pid_lookup": False,
        # registration
        "enable_registration": variant != "closed",
        "allow_guest_access": variant in ("open", "ratelimit", "stress"),
    }
    if variant in ("open", "ratelimit", "stress", "terms", "limited"):
        cfg["enable_registration_without_verification"] = True
    if variant in ("open", "ratelimit"):
        cfg["password_config"] = {"enabled": True, "policy": {
            "enabled": True, "minimum_length": 8, "require_digit": True}}
    if variant == "token":
        cfg["registration_requires_token"] = True
    if variant == "open":
        # POST /login/get_token hands out m.login.token tokens, so that the
        # token login (the last step of SSO) is testable without an IdP.
        cfg["login_via_existing_session"] = {"enabled": True, "require_ui_auth": False}
        add_appservice(cfg, d)
    if variant == "email":
        cfg["registrations_require_3pid"] = ["email"]
        # Addresses outside example.org are refused (M_THREEPID_DENIED).
        cfg["allowed_local_3pids"] = [{"medium": "email", "pattern": r"^[^@]+@example\.org$"}]
        cfg["email"] = {
            "smtp_host": "127.0.0.1",
            "smtp_port": smtp_port,
            "enable_tls": False,
            "force_tls": False,
            "require_transport_security": False,
            "notif_from": "mxreg test Synapse <noreply@localhost>",
            "app_name": "mxreg test",
            "enable_notifs": False,
        }
    if variant == "oauth":
        # Appservice registration there needs inhibit_login (spec v1.17).
        add_appservice(cfg, d)
        # Delegation forbids Synapse's own registration and passwords.
        cfg["enable_registration"] = False
        cfg["password_config"] = {"enabled": False}
        cfg["matrix_authentication_service"] = {
            "enabled": True,
            "endpoint": f"http://127.0.0.1:{OAUTH_PORT}/",
            "secret": secrets.token_hex(24),
        }
    if variant == "sso":
        # Synapse signs users in (and up) through the rig's OAuth server as
        # an upstream OpenID Connect provider; no /register.
        cfg["enable_registration"] = False
        cfg["oidc_providers"] = [{
            "idp_id": SSO_IDP_ID.removeprefix("oidc-"),
            "idp_name": "mxreg rig OAuth server",
            # http on loopback: Synapse's metadata checks want https.
            "skip_verification": True,
            "issuer": f"http://127.0.0.1:{OAUTH_PORTS['sso']}/",
            "client_id": SSO_CLIENT_ID,
            "client_secret": secrets.token_hex(24),
            "client_auth_method": "client_secret_basic",
            "pkce_method": "always",
            "scopes": ["openid", "profile"],
            "allow_existing_users": True,
            "user_mapping_provider": {"config": {
                "localpart_template": "{{ user.preferred_username }}",
                "display_name_template": "{{ user.name }}",
            }},
        }]
        # Redirects to the tests' app URL go straight back, without the
        # "continue to your app" confirmation page.
        cfg["sso"] = {"client_whitelist": ["http://127.0.0.1:9/"]}
    if variant == "terms":
        cfg["user_consent"] = {
            "template_dir": str(TEMPLATES / "consent"),
            "version": "1.0",
            "require_at_registration": True,
            "policy_name": "mxreg Test Privacy Policy",
        }
    if variant == "captcha":
        cfg["enable_registration_captcha"] = True
        cfg["recaptcha_public_key"] = "mxreg-rig-recaptcha-site-key"
        cfg["recaptcha_private_key"] = RECAPTCHA_PRIVATE_KEY
        cfg["recaptcha_siteverify_api"] = f"http://127.0.0.1:{STUBS['captcha'][1]}/siteverify"
    if variant == "msisdn":
        cfg["registrations_require_3pid"] = ["msisdn"]
        cfg["account_threepid_delegates"] = {"msisdn": f"http://127.0.0.1:{STUBS['msisdn'][1]}"}
    if variant == "limited":
        # Synapse's resource-limit check (auth blocking) refuses every new
        # account, the admin's too, with this contact in the error.
        cfg["hs_disabled"] = True
        cfg["hs_disabled_message"] = "Registration is paused for maintenance"
        cfg["admin_contact"] = "mailto:admin@localhost"
    cfg.update(_rate_limits(variant))
    return cfg


def add_appservice(cfg: dict, d: Path) -> None:
    """An application service owning @mxregbot_*, for appservice
    registration tests (its as_token goes to `appservice_token`)."""
    as_token = secrets.token_hex(16)
    appservice = {
        "id": "mxreg-test", "url": None, "as_token": as_token,
        "hs_token": secrets.token_hex(16), "sender_localpart": "mxregbot",
        "namespaces": {"users": [{"exclusive": True, "regex": "@mxregbot_.*:localhost"}],
                       "aliases": [], "rooms": []},
    }
    (d / "appservice.yaml").write_text(json.dumps(appservice))  # JSON is YAML
    (d / "appservice_token").write_text(as_token)
    cfg["app_service_config_files"] = [str(d / "appservice.yaml")]


def write_signing_key(path: Path) -> None:
    """Synapse signing key file: 'ed25519 <key id> <unpadded base64 32-byte seed>'."""
    seed = base64.b64encode(os.urandom(32)).decode().rstrip("=")
    path.write_text(f"ed25519 a_{secrets.token_hex(2)} {seed}\n")
    path.chmod(0o600)


# --------------------------------------------------------------------------
# HTTP helpers
# --------------------------------------------------------------------------


def http_json(method: str, url: str, body: dict | None = None, token: str | None = None,
              timeout: float = 10.0) -> tuple[int, dict | str]:
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, method=method)
    if data is not None:
        req.add_header("Content-Type", "application/json")
    if token:
        req.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            status, raw = resp.status, resp.read()
    except urllib.error.HTTPError as e:
        status, raw = e.code, e.read()
    try:
        return status, json.loads(raw)
    except ValueError:
        return status, raw.decode(errors="replace")


def log_tail(path: Path, lines: int = 40) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


# --------------------------------------------------------------------------
# start / stop
# --------------------------------------------------------------------------


def _spawn(argv: list[str], logfile: Path, cwd: Path) -> subprocess.Popen:
    with open(logfile, "ab") as out:
        return subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
                                cwd=cwd, start_new_session=True, close_fds=True)


def _wait_ready(variant: str, proc: subprocess.Popen, base_url: str, logfile: Path) -> None:
    deadline = time.monotonic() + READY_TIMEOUT_S
    while True:
        if proc.poll() is not None:
            raise RigError(f"{variant}: synapse exited with code {proc.returncode} during startup; "
                           f"log tail ({logfile}):\n{log_tail(logfile)}")
        try:
            with urllib.request.urlopen(base_url + "/_matrix/client/versions", timeout=2) as r:
                if r.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        if time.monotonic() > deadline:
            raise RigError(f"{variant}: synapse did not answer /_matrix/client/versions within "
                           f"{READY_TIMEOUT_S:.0f} s; log tail ({logfile}):\n{log_tail(logfile)}")
        time.sleep(0.1)


def _wait_port_open(port: int, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
        time.sleep(0.05)
    return False


def register_admin(base_url: str, secret: str) -> str:
    status, body = http_json("GET", base_url + "/_synapse/admin/v1/register")
    if status != 200 or not isinstance(body, dict) or "nonce" not in body:
        raise RigError(f"admin nonce: HTTP {status}: {json.dumps(body)}")
    nonce = body["nonce"]
    mac = hmac.new(secret.encode(), digestmod=hashlib.sha1)
    for part in (nonce, ADMIN_USER, ADMIN_PASSWORD):
        mac.update(part.encode())
        mac.update(b"\x00")
    mac.update(b"admin")
    status, body = http_json("POST", base_url + "/_synapse/admin/v1/register", {
        "nonce": nonce, "username": ADMIN_USER, "password": ADMIN_PASSWORD,
        "admin": True, "mac": mac.hexdigest()})
    if status != 200 or not isinstance(body, dict) or "access_token" not in body:
        raise RigError(f"admin registration: HTTP {status}: {json.dumps(body)}")
    return body["access_token"]


def _start_oauth_server(variant: str, cfg: dict, base_url: str) -> None:
    """The OAuth 2.0 server Synapse delegates to (oauth) or signs users in
    with (sso), started before Synapse (which fetches its metadata). The
    shared secret (sso: Synapse's client secret) goes in a 0600 file, not
    on the command line."""
    d = vdir(variant)
    port = OAUTH_PORTS[variant]
    secret_file = d / "mas_secret"
    if variant == "sso":
        secret, mode = cfg["oidc_providers"][0]["client_secret"], ["--upstream-for-synapse"]
    else:
        secret, mode = cfg["matrix_authentication_service"]["secret"], []
    secret_file.write_text(secret + "\n")
    secret_file.chmod(0o600)
    server = _spawn([shutil.which("node") or "node", str(OAUTH_DIR / "server.mjs"),
                     "--port", str(port), "--homeserver", base_url,
                     "--secret-file", str(secret_file), *mode], d / "oauth.log", d)
    oauth_pidfile(variant).write_text(f"{server.pid}\n")
    if not _wait_port_open(port, 30):
        server.kill()
        raise RigError(f"{variant}: OAuth server did not listen on {port}; log:\n"
                       f"{log_tail(d / 'oauth.log')}")
    log(f"{variant}: OAuth server on http://127.0.0.1:{port}/")


def _start_stub(variant: str) -> None:
    """The stand-in for the outside service the variant needs, on loopback."""
    script, port = STUBS[variant]
    if not port_free(port):
        raise RigError(f"{variant}: stand-in port {port} (127.0.0.1) is already in use",
                       EXIT_PORT_IN_USE)
    args = {"captcha": ["--secret", RECAPTCHA_PRIVATE_KEY],
            "msisdn": ["--dir", str(sms_dir(variant))]}[variant]
    d = vdir(variant)
    proc = _spawn([sys.executable, str(TEMPLATES / script), "--port", str(port), *args],
                  d / "stub.log", d)
    stub_pidfile(variant).write_text(f"{proc.pid}\n")
    if not _wait_port_open(port, 15):
        proc.kill()
        raise RigError(f"{variant}: {script} did not listen on {port}; log:\n{log_tail(d / 'stub.log')}")
    log(f"{variant}: {script} on 127.0.0.1:{port}")


def start(variant: str, port: int | None = None, smtp_port: int | None = None) -> str:
    """Start one variant; returns its base URL. Raises RigError."""
    port = port or VARIANTS[variant]
    smtp_port = smtp_port or SMTP_DEFAULT_PORT
    with variant_lock(variant):
        if is_running(variant):
            url = read_text(vdir(variant) / "url") or "?"
            raise RigError(f"{variant}: already running at {url} (stop it first: "
                           f"{Path(__file__).name} stop {variant})", EXIT_ALREADY_RUNNING)
        t0 = time.monotonic()
        # stale leftovers (e.g. a crashed server or a sink left behind)
        _stop_locked(variant, quiet=True)
        if not port_free(port):
            raise RigError(f"{variant}: port {port} (127.0.0.1) is already in use by another "
                           f"process", EXIT_PORT_IN_USE)
        if variant == "email" and not port_free(smtp_port):
            raise RigError(f"{variant}: SMTP sink port {smtp_port} (127.0.0.1) is already in use "
                           f"by another process", EXIT_PORT_IN_USE)
        if variant in OAUTH_PORTS:
            if not port_free(OAUTH_PORTS[variant]):
                raise RigError(f"{variant}: OAuth server port {OAUTH_PORTS[variant]} (127.0.0.1) is "
                               f"already in use by another process", EXIT_PORT_IN_USE)
            ensure_oauth_modules()
        d = vdir(variant)
        shutil.rmtree(d, ignore_errors=True)
        d.mkdir(parents=True)
        cfg = build_config(variant, port, smtp_port)
        # JSON is valid YAML: no YAML library needed.
        config_path(variant).write_text(json.dumps(cfg, indent=2) + "\n")
        write_signing_key(Path(cfg["signing_key_path"]))
        base_url = f"http://127.0.0.1:{port}"

        if variant == "email":
            md = mail_dir(variant)
            md.mkdir()
            sink = _spawn([str(VENV_PY), str(TEMPLATES / "smtp_sink.py"), "--host", "127.0.0.1",
                           "--port", str(smtp_port), "--dir", str(md)], d / "smtp.log", d)
            smtp_pidfile(variant).write_text(f"{sink.pid}\n")
            if not _wait_port_open(smtp_port, 15):
                sink.kill()
                raise RigError(f"{variant}: SMTP sink did not listen on {smtp_port}; log:\n"
                               f"{log_tail(d / 'smtp.log')}")
            log(f"{variant}: SMTP sink on 127.0.0.1:{smtp_port} writing to {md}")
        if variant in OAUTH_PORTS:
            _start_oauth_server(variant, cfg, base_url)
        if variant in STUBS:
            _start_stub(variant)

        logfile = d / "homeserver.log"
        log(f"{variant}: starting synapse on {base_url}")
        proc = _spawn([str(VENV_PY), "-m", "synapse.app.homeserver", "--config-path",
                       str(config_path(variant))], logfile, d)
        synapse_pidfile(variant).write_text(f"{proc.pid}\n")
        try:
            _wait_ready(variant, proc, base_url, logfile)
            # Delegated auth has no shared-secret admin registration; a
            # disabled server refuses it.
            token = None if variant in ("oauth", "limited") else register_admin(
                base_url, cfg["registration_shared_secret"])
        except BaseException:
            _stop_locked(variant, quiet=True)
            raise
        if token:
            (d / "admin_token").write_text(token + "\n")
        (d / "url").write_text(base_url + "\n")
        log(f"{variant}: ready at {base_url} in {time.monotonic() - t0:.1f} s"
            + (f" (admin token in {d / 'admin_token'})" if token else ""))
        return base_url


def _terminate(pid: int, what: str, quiet: bool) -> None:
    """SIGTERM the process group, wait up to STOP_GRACE_S, then SIGKILL."""
    def send(sig):
        try:
            os.killpg(pid, sig)
        except (ProcessLookupError, PermissionError):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, sig)

    send(signal.SIGTERM)
    deadline = time.monotonic() + STOP_GRACE_S
    while time.monotonic() < deadline:
        if not pid_alive(pid):
            break
        time.sleep(0.05)
    else:
        if not quiet:
            log(f"{what} (pid {pid}) ignored SIGTERM for {STOP_GRACE_S:.0f} s: SIGKILL")
        send(signal.SIGKILL)
        for _ in range(100):
            if not pid_alive(pid):
                break
            time.sleep(0.05)
    # reap it if it is our own child (start-all in this process)
    with contextlib.suppress(ChildProcessError, OSError):
        os.waitpid(pid, os.WNOHANG)


def _stop_locked(variant: str, quiet: bool = False) -> bool:
    stopped = False
    pid = synapse_pid(variant)
    if pid is not None:
        _terminate(pid, f"{variant}: synapse", quiet)
        stopped = True
        if not quiet:
            log(f"{variant}: synapse (pid {pid}) stopped")
    spid = smtp_pid(variant)
    if spid is not None:
        _terminate(spid, f"{variant}: SMTP sink", quiet)
        stopped = True
        if not quiet:
            log(f"{variant}: SMTP sink (pid {spid}) stopped")
    tpid = stub_pid(variant)
    if tpid is not None:
        _terminate(tpid, f"{variant}: stand-in", quiet)
        stopped = True
        if not quiet:
            log(f"{variant}: stand-in (pid {tpid}) stopped")
    opid = oauth_pid(variant)
    if opid is not None:
        _terminate(opid, f"{variant}: OAuth server", quiet)
        stopped = True
        if not quiet:
            log(f"{variant}: OAuth server (pid {opid}) stopped")
    for f in (synapse_pidfile(variant), smtp_pidfile(variant), oauth_pidfile(variant),
              stub_pidfile(variant),
              vdir(variant) / "synapse-internal.pid"):
        with contextlib.suppress(FileNotFoundError):
            f.unlink()
    return stopped


def stop(variant: str) -> None:
    with variant_lock(variant):
        if not _stop_locked(variant):
            log(f"{variant}: not running (nothing to stop)")


def _parallel(fn, variants: list[str]) -> dict[str, BaseException | object]:
    results: dict[str, BaseException | object] = {}
    with concurrent.futures.ThreadPoolExecutor(max_workers=len(variants) or 1) as ex:
        futs = {ex.submit(fn, v): v for v in variants}
        for fut in concurrent.futures.as_completed(futs):
            v = futs[fut]
            try:
                results[v] = fut.result()
            except BaseException as e:  # noqa: BLE001 - reported per variant
                results[v] = e
    return results


# --------------------------------------------------------------------------
# subcommands
# --------------------------------------------------------------------------


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
    results = _parallel(start, variants)
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
    results = _parallel(stop, variants)
    bad = [v for v, r in results.items() if isinstance(r, BaseException)]
    for v in bad:
        log(f"{v}: stop failed: {results[v]}")
    return EXIT_FAIL if bad else 0


def cmd_stop_all(args) -> int:
    args.variant = "all"
    return cmd_stop(args)


def cmd_status(args) -> int:
    for v, port in VARIANTS.items():
        pid = synapse_pid(v)
        if pid is not None:
            url = read_text(vdir(v) / "url") or f"http://127.0.0.1:{port} (starting)"
            extra = ""
            if v == "email":
                spid = smtp_pid(v)
                extra = f"  smtp-sink {'pid ' + str(spid) if spid else 'NOT running'}"
            if v in OAUTH_PORTS:
                opid = oauth_pid(v)
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
            results = _parallel(start, started)
            failed = {v: r for v, r in results.items() if isinstance(r, BaseException)}
            for v, r in failed.items():
                log(f"{v}: FAILED to start: {r}")
            if failed:
                return EXIT_FAIL
        env = dict(os.environ)
        env.update(rig_env())
        env["MXREG_RIG"] = str(Path(__file__).resolve())
        return subprocess.call(command, env=env)
    finally:
        if started:
            _parallel(stop, started)


def _admin(variant: str) -> tuple[str, str]:
    url = running_url(variant)
    if not url:
        raise RigError(f"{variant}: not running")
    tok = read_text(vdir(variant) / "admin_token")
    if not tok:
        raise RigError(f"{variant}: no admin token (startup incomplete?)")
    return url, tok


def cmd_token_create(args) -> int:
    url, tok = _admin(args.variant)
    body: dict = {}
    if args.uses is not None:
        body["uses_allowed"] = args.uses
    if args.expiry_ms is not None:
        body["expiry_time"] = int(time.time() * 1000) + args.expiry_ms
    if args.token is not None:
        body["token"] = args.token
    status, resp = http_json("POST", url + "/_synapse/admin/v1/registration_tokens/new", body, tok)
    if args.exist_ok and args.token is not None and status == 400 and "already exists" in str(resp):
        print(args.token)
        return 0
    if status != 200 or not isinstance(resp, dict) or "token" not in resp:
        raise RigError(f"token-create: HTTP {status}: {json.dumps(resp)}")
    print(resp["token"])
    return 0


def cmd_login_token(args) -> int:
    """A single-use m.login.token for USER: the admin API logs in as the
    user (a device only the admin knows), and that session asks for a token
    (POST /login/get_token, enabled on the open variant)."""
    url, tok = _admin(args.variant)
    user = urllib.parse.quote(args.user, safe="")
    status, resp = http_json("POST", f"{url}/_synapse/admin/v1/users/{user}/login", {}, tok)
    if status != 200 or not isinstance(resp, dict) or "access_token" not in resp:
        raise RigError(f"login-token: admin login as {args.user}: HTTP {status}: {json.dumps(resp)}")
    status, resp = http_json("POST", url + "/_matrix/client/v1/login/get_token", {},
                             resp["access_token"])
    if status != 200 or not isinstance(resp, dict) or "login_token" not in resp:
        raise RigError(f"login-token: get_token: HTTP {status}: {json.dumps(resp)}")
    print(resp["login_token"])
    return 0


LINK_RE = re.compile(r"""https?://[^\s"'<>]+/_matrix/client/unstable/registration/email/submit_token\?[^\s"'<>]+""")


def _mail_recipients(msg) -> set[str]:
    addrs = set()
    for hdr in ("X-Sink-Rcpt-Tos", "To", "Cc", "Delivered-To"):
        for value in msg.get_all(hdr, []):
            for _name, addr in email.utils.getaddresses([str(value)]):
                if addr:
                    addrs.add(addr.lower())
    return addrs


def extract_link(msg) -> str | None:
    """The validation link of a parsed message (text/plain first, then HTML)."""
    bodies = []
    for prefer in ("plain", "html"):
        for part in msg.walk():
            if part.get_content_maintype() == "multipart":
                continue
            if part.get_content_subtype() != prefer:
                continue
            try:
                bodies.append(part.get_content())
            except (LookupError, ValueError):
                payload = part.get_payload(decode=True) or b""
                bodies.append(payload.decode(errors="replace"))
    if not msg.is_multipart() and not bodies:
        bodies.append(str(msg.get_payload()))
    for text in bodies:
        m = LINK_RE.search(text)
        if m:
            return html.unescape(m.group(0))
    return None


def find_mail_link(md: Path, to: str, since: float | None = None) -> str | None:
    to = to.lower()
    files = sorted(md.glob("*.eml"), reverse=True)  # names start with time_ns: newest first
    for f in files:
        if since is not None and f.stat().st_mtime < since:
            continue
        try:
            with open(f, "rb") as fh:
                msg = email.message_from_binary_file(fh, policy=email.policy.default)
        except OSError:
            continue
        if to not in _mail_recipients(msg):
            continue
        link = extract_link(msg)
        if link:
            return link
    return None


def cmd_mail_link(args) -> int:
    md = mail_dir(args.variant)
    if not md.is_dir():
        raise RigError(f"{args.variant}: no mail directory {md} (is the email variant running?)")
    deadline = time.monotonic() + args.timeout
    while True:
        link = find_mail_link(md, args.to, args.since)
        if link:
            print(link)
            return 0
        if time.monotonic() > deadline:
            raise RigError(f"mail-link: no validation mail to {args.to} in {md} "
                           f"after {args.timeout:g} s")
        time.sleep(0.1)


# --------------------------------------------------------------------------
# argument parsing
# --------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="homeserver.py",
        description=__doc__.split("\n\n")[0] + " State lives in " + str(HS_ROOT) + ".",
        epilog="Variants: " + ", ".join(f"{v} ({port})" for v, port in VARIANTS.items())
               + f". SMTP sink for email: {SMTP_DEFAULT_PORT}; OAuth server for oauth: {OAUTH_PORT}."
                 " MXREG_RIG_PORT_OFFSET=N adds N to every port. Exit codes: 0 ok, 1 failure, "
                 "2 port in use, 3 already running.",
    )
    sub = p.add_subparsers(dest="cmd", required=True, metavar="COMMAND")
    variant_help = "one of: " + ", ".join(VARIANTS)

    s = sub.add_parser("install", help="create .homeserver/venv with the pinned Synapse and aiosmtpd",
                       description=f"Create {VENV} and pip-install {' '.join(PINS)}. "
                                   "Does nothing when the stamp file shows the same pins.")
    s.add_argument("--force", action="store_true", help="recreate the venv even if up to date")
    s.set_defaults(func=cmd_install)

    s = sub.add_parser("start", help="start one variant (fresh config and database)",
                       description="Start a fresh Synapse for VARIANT (old data wiped), wait until "
                                   "it answers, create an admin user, print the base URL. "
                                   "Exit 3 if already running, 2 if the port is taken.")
    s.add_argument("variant", choices=list(VARIANTS), metavar="VARIANT", help=variant_help)
    s.add_argument("--port", type=int, help="listen port (default: the variant's own)")
    s.add_argument("--smtp-port", type=int,
                   help=f"SMTP sink port for the email variant (default {SMTP_DEFAULT_PORT})")
    s.set_defaults(func=cmd_start)

    s = sub.add_parser("start-all", help="start all (or the given) variants concurrently",
                       description="Start variants in parallel on their default ports; prints "
                                   "'VARIANT URL' lines. Already running variants are left "
                                   "alone and listed.")
    s.add_argument("variants", nargs="*", metavar="VARIANT",
                   help="subset to start (default: all): " + ", ".join(VARIANTS))
    s.set_defaults(func=cmd_start_all)

    s = sub.add_parser("stop", help="stop one variant, or all",
                       description="SIGTERM synapse (and the SMTP sink), SIGKILL after "
                                   f"{STOP_GRACE_S:.0f} s, remove pid files. Not running is fine.")
    s.add_argument("variant", choices=list(VARIANTS) + ["all"], metavar="VARIANT|all",
                   help=variant_help + ", or all")
    s.set_defaults(func=cmd_stop)

    s = sub.add_parser("stop-all", help="stop every variant (same as 'stop all')",
                       description="Stop all variants in parallel.")
    s.set_defaults(func=cmd_stop_all)

    s = sub.add_parser("status", help="one line per variant: running or not, URL",
                       description="Print one line per variant: running/stopped, URL, pid.")
    s.set_defaults(func=cmd_status)

    s = sub.add_parser("url", help="print the base URL of a running variant",
                       description="Print the base URL of VARIANT; exit 1 if it is not running.")
    s.add_argument("variant", choices=list(VARIANTS), metavar="VARIANT", help=variant_help)
    s.set_defaults(func=cmd_url)

    s = sub.add_parser("env", help="print MXREG_HS_* lines for running variants",
                       description="Print MXREG_HS_<VARIANT>=<url> and "
                                   "MXREG_HS_<VARIANT>_ADMIN_TOKEN=<token> for each running "
                                   "variant, and MXREG_MAIL_DIR=<dir> when email runs "
                                   "(for eval or a Makefile include).")
    s.set_defaults(func=cmd_env)

    s = sub.add_parser("run", help="run a command with homeservers up, then stop what it started",
                       description="Start the variants that are not running (all, or --variants), "
                                   "run COMMAND with MXREG_HS_* (see 'env') and MXREG_RIG (this "
                                   "script) in its environment, stop the variants this call "
                                   "started, and exit with COMMAND's status.")
    s.add_argument("--variants", metavar="V1,V2", help="comma-separated subset (default: all)")
    s.add_argument("command", nargs=argparse.REMAINDER, metavar="-- COMMAND ...")
    s.set_defaults(func=cmd_run)

    s = sub.add_parser("token-create", help="create a registration token with the admin API",
                       description="POST /_synapse/admin/v1/registration_tokens/new on VARIANT "
                                   "(normally 'token') and print the token.")
    s.add_argument("variant", choices=list(VARIANTS), metavar="VARIANT", help=variant_help)
    s.add_argument("--uses", type=int, help="uses_allowed (default: unlimited)")
    s.add_argument("--expiry-ms", type=int, metavar="MS",
                   help="expire this many milliseconds from now (default: never)")
    s.add_argument("--token", help="the token string itself (default: random, chosen by Synapse)")
    s.add_argument("--exist-ok", action="store_true",
                   help="with --token: a token of that name made earlier is fine (print it)")
    s.set_defaults(func=cmd_token_create)

    s = sub.add_parser("login-token", help="print a single-use m.login.token for a user",
                       description="Log in as USER through the admin API, then ask "
                                   "POST /_matrix/client/v1/login/get_token for a login token "
                                   "and print it (VARIANT normally 'open').")
    s.add_argument("variant", choices=list(VARIANTS), metavar="VARIANT", help=variant_help)
    s.add_argument("--user", required=True, metavar="USER_ID", help="full user ID, @name:localhost")
    s.set_defaults(func=cmd_login_token)

    s = sub.add_parser("mail-link", help="wait for a validation mail and print its link",
                       description="Poll the SMTP sink's mail directory for the newest mail to "
                                   "ADDRESS that holds a .../registration/email/submit_token link "
                                   "and print that link (exit 1 on timeout).")
    s.add_argument("variant", choices=list(VARIANTS), metavar="VARIANT",
                   help="the variant whose sink to read (normally 'email')")
    s.add_argument("--to", required=True, metavar="ADDRESS", help="recipient address")
    s.add_argument("--timeout", type=float, default=30.0, metavar="S",
                   help="seconds to wait (default 30)")
    s.add_argument("--since", type=float, metavar="UNIX_TIME",
                   help="ignore mails received before this Unix time")
    s.set_defaults(func=cmd_mail_link)
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


if __name__ == "__main__":
    sys.exit(main())
