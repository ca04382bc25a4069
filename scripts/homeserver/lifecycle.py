"""Start, stop and health of one variant: its Synapse and the servers it
needs around it (SMTP sink, stand-in, OAuth server), found again later
from their pid files."""

from __future__ import annotations

import contextlib
import json
import shutil
import time
import urllib.error
import urllib.request
from pathlib import Path

from .admin import register_admin
from .config import build_config, write_signing_key
from .errors import EXIT_ALREADY_RUNNING, EXIT_PORT_IN_USE, RigError, log
from .layout import (ENTRY_POINT, OAUTH_DIR, OAUTH_PORTS, SMTP_DEFAULT_PORT, STUBS, VARIANTS,
                     VENV_PY, config_path, read_text, vdir)
from .oauth import ensure_oauth_modules, start_oauth_server
from .processes import log_tail, port_free, read_pid, spawn, terminate, variant_lock
from .stand_ins import start_smtp_sink, start_stub

READY_TIMEOUT_S = 90.0

# A variant's processes, in the order they stop: what they are called in
# messages, their pid file (<name>.pid), and a string their command line
# holds (so that a reused pid is not taken for them).
PROCESSES = {
    "synapse": ("synapse", lambda v: str(config_path(v))),
    "smtp": ("SMTP sink", lambda v: "smtp_sink.py"),
    "stub": ("stand-in", lambda v: STUBS[v][0] if v in STUBS else None),
    "oauth": ("OAuth server", lambda v: str(OAUTH_DIR / "server.mjs")),
}


def process_pid(variant: str, name: str) -> int | None:
    """The pid of a variant's process (a PROCESSES key) if it runs."""
    return read_pid(vdir(variant) / f"{name}.pid", PROCESSES[name][1](variant))


def is_running(variant: str) -> bool:
    return process_pid(variant, "synapse") is not None


def running_url(variant: str) -> str | None:
    if not is_running(variant):
        return None
    return read_text(vdir(variant) / "url")


def admin_credentials(variant: str) -> tuple[str, str]:
    """The base URL and admin token of a running variant."""
    url = running_url(variant)
    if not url:
        raise RigError(f"{variant}: not running")
    tok = read_text(vdir(variant) / "admin_token")
    if not tok:
        raise RigError(f"{variant}: no admin token (startup incomplete?)")
    return url, tok


def _wait_ready(variant: str, proc, base_url: str, logfile: Path) -> None:
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


def _claim_ports(variant: str, port: int, smtp_port: int) -> None:
    """Fail early, with EXIT_PORT_IN_USE, when another process has a port."""
    wanted = [(port, "port")]
    if variant == "email":
        wanted.append((smtp_port, "SMTP sink port"))
    if variant in OAUTH_PORTS:
        wanted.append((OAUTH_PORTS[variant], "OAuth server port"))
    for p, what in wanted:
        if not port_free(p):
            raise RigError(f"{variant}: {what} {p} (127.0.0.1) is already in use by another "
                           f"process", EXIT_PORT_IN_USE)


def start(variant: str, port: int | None = None, smtp_port: int | None = None) -> str:
    """Start one variant; returns its base URL. Raises RigError."""
    port = port or VARIANTS[variant]
    smtp_port = smtp_port or SMTP_DEFAULT_PORT
    with variant_lock(variant):
        if is_running(variant):
            url = read_text(vdir(variant) / "url") or "?"
            raise RigError(f"{variant}: already running at {url} (stop it first: "
                           f"{ENTRY_POINT.name} stop {variant})", EXIT_ALREADY_RUNNING)
        t0 = time.monotonic()
        # stale leftovers (e.g. a crashed server or a sink left behind)
        _stop_locked(variant, quiet=True)
        _claim_ports(variant, port, smtp_port)
        if variant in OAUTH_PORTS:
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
            start_smtp_sink(variant, smtp_port)
        if variant in OAUTH_PORTS:
            start_oauth_server(variant, cfg, base_url)
        if variant in STUBS:
            start_stub(variant)

        logfile = d / "homeserver.log"
        log(f"{variant}: starting synapse on {base_url}")
        proc = spawn([str(VENV_PY), "-m", "synapse.app.homeserver", "--config-path",
                      str(config_path(variant))], logfile, d)
        (d / "synapse.pid").write_text(f"{proc.pid}\n")
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


def _stop_locked(variant: str, quiet: bool = False) -> bool:
    stopped = False
    for name, (what, _marker) in PROCESSES.items():
        pid = process_pid(variant, name)
        if pid is None:
            continue
        terminate(pid, f"{variant}: {what}", quiet)
        stopped = True
        if not quiet:
            log(f"{variant}: {what} (pid {pid}) stopped")
    for f in [vdir(variant) / f"{name}.pid" for name in PROCESSES] + [
            vdir(variant) / "synapse-internal.pid"]:
        with contextlib.suppress(FileNotFoundError):
            f.unlink()
    return stopped


def stop(variant: str) -> None:
    with variant_lock(variant):
        if not _stop_locked(variant):
            log(f"{variant}: not running (nothing to stop)")

