"""The pinned Synapse (and the SMTP sink's aiosmtpd) in a virtualenv of
the rig's own, installed once and again only when the pins change."""

from __future__ import annotations

import contextlib
import json
import subprocess
import sys
import time

from .errors import RigError, log
from .layout import HS_ROOT, VENV, VENV_PY

PINS = ["matrix-synapse[oidc]==1.163.2", "aiosmtpd==1.4.6"]
STAMP = VENV / "mxreg-install-stamp.json"


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
