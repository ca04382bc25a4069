"""Where the rig keeps things: its ports and the files of each variant."""

from __future__ import annotations

import os
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
SCRIPTS_DIR = PACKAGE_DIR.parent
REPO_ROOT = SCRIPTS_DIR.parent
# The command-line entry point: what `run` hands its command as MXREG_RIG.
ENTRY_POINT = SCRIPTS_DIR / "homeserver.py"
HS_ROOT = REPO_ROOT / ".homeserver"
VENV = HS_ROOT / "venv"
VENV_PY = VENV / "bin" / "python"
CONSENT_TEMPLATES = PACKAGE_DIR / "consent"
STAND_IN_SERVERS = PACKAGE_DIR / "stand_in_servers"
OAUTH_DIR = SCRIPTS_DIR / "oauth"

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
# The stand-ins for services outside the homeserver (Google's captcha check,
# a phone company behind an identity service): script and port per variant.
STUBS = {
    "captcha": ("recaptcha_verify.py", 18126 + PORT_OFFSET),
    "msisdn": ("msisdn_identity.py", 18127 + PORT_OFFSET),
}


def vdir(variant: str) -> Path:
    return HS_ROOT / variant


def config_path(variant: str) -> Path:
    return vdir(variant) / "homeserver.yaml"


def sms_dir(variant: str = "msisdn") -> Path:
    return vdir(variant) / "sms"


def mail_dir(variant: str = "email") -> Path:
    return vdir(variant) / "mail"


def read_text(path: Path) -> str | None:
    try:
        return path.read_text().strip()
    except OSError:
        return None
