"""The rig's OAuth 2.0 server (scripts/oauth, Node.js): the server the
oauth variant delegates auth to, and the sso variant's upstream identity
provider."""

from __future__ import annotations

import hashlib
import re
import shutil
import subprocess
import sys

from .errors import RigError, log
from .layout import OAUTH_DIR, OAUTH_PORTS, read_text, vdir
from .processes import start_listening, variant_lock

SSO_IDP_ID = "oidc-rig"
SSO_CLIENT_ID = "synapse-sso"


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


def start_oauth_server(variant: str, cfg: dict, base_url: str) -> None:
    """The OAuth 2.0 server Synapse delegates to (oauth) or signs users in
    with (sso), started before Synapse (which fetches its metadata). The
    shared secret (sso: Synapse's client secret) goes in a 0600 file, not
    on the command line."""
    port = OAUTH_PORTS[variant]
    secret_file = vdir(variant) / "mas_secret"
    if variant == "sso":
        secret, mode = cfg["oidc_providers"][0]["client_secret"], ["--upstream-for-synapse"]
    else:
        secret, mode = cfg["matrix_authentication_service"]["secret"], []
    secret_file.write_text(secret + "\n")
    secret_file.chmod(0o600)
    start_listening(variant, "OAuth server", "oauth",
                    [shutil.which("node") or "node", str(OAUTH_DIR / "server.mjs"),
                     "--port", str(port), "--homeserver", base_url,
                     "--secret-file", str(secret_file), *mode], port, 30)
    log(f"{variant}: OAuth server on http://127.0.0.1:{port}/")
