"""The rig's child processes: spawn them detached, find them again from
their pid files, stop them, and serialise what must not run twice."""

from __future__ import annotations

import concurrent.futures
import contextlib
import fcntl
import os
import signal
import socket
import subprocess
import time
from pathlib import Path

from .errors import RigError, log
from .layout import HS_ROOT, read_text

STOP_GRACE_S = 10.0


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


def wait_port_open(port: int, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
        time.sleep(0.05)
    return False


def log_tail(path: Path, lines: int = 40) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def spawn(argv: list[str], logfile: Path, cwd: Path) -> subprocess.Popen:
    """Start a process in a session of its own (it outlives this command),
    its output appended to logfile."""
    with open(logfile, "ab") as out:
        return subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
                                cwd=cwd, start_new_session=True, close_fds=True)


def start_listening(variant: str, what: str, name: str, argv: list[str], port: int,
                    wait_s: float) -> None:
    """Spawn one of a variant's servers in its directory (NAME.log, NAME.pid)
    and wait until it listens on port; kill it and fail if it does not."""
    d = HS_ROOT / variant
    proc = spawn(argv, d / f"{name}.log", d)
    (d / f"{name}.pid").write_text(f"{proc.pid}\n")
    if not wait_port_open(port, wait_s):
        proc.kill()
        raise RigError(f"{variant}: {what} did not listen on {port}; log:\n{log_tail(d / f'{name}.log')}")


def terminate(pid: int, what: str, quiet: bool) -> None:
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


def parallel(fn, variants: list[str]) -> dict[str, BaseException | object]:
    """fn(variant) for every variant at once: its result, or what it raised."""
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
