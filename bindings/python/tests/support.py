"""Helpers for the tests: the local Synapse variants (MXREG_HS_* from the
rig), unique usernames, registration tokens, validation mails, the CLI."""

from __future__ import annotations

import contextlib
import itertools
import json
import os
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

import pytest

import mxreg

REPO_ROOT = Path(__file__).resolve().parents[3]
RIG = os.environ.get("MXREG_RIG", str(REPO_ROOT / "scripts" / "homeserver.py"))
PASSWORD = "Correct-horse-42"

_counter = itertools.count()
_T = TypeVar("_T")


def homeserver(variant: str) -> str:
    """The URL of a running rig variant; fails (never skips) when missing."""
    url = os.environ.get(f"MXREG_HS_{variant.upper()}")
    if not url:
        pytest.fail(
            f"MXREG_HS_{variant.upper()} is not set: run the suite through `make test-python` "
            "or with the variables of `scripts/homeserver.py env` exported"
        )
    return url


def rig_variable(name: str) -> str:
    """Another variable `scripts/homeserver.py env` gives (tokens, paths)."""
    value = os.environ.get(name)
    if not value:
        pytest.fail(f"{name} is not set: run the suite through `make test-python`")
    return value


def unique_username(prefix: str = "py") -> str:
    """A localpart no other run or engineer uses: prefix, pid, time, counter."""
    return f"{prefix}{os.getpid()}t{time.time_ns() // 1_000_000 % 10**9}n{next(_counter)}"


def rig(*args: str) -> str:
    """Run the test rig (scripts/homeserver.py) and return its stdout."""
    done = subprocess.run([sys.executable, RIG, *args], capture_output=True, text=True, timeout=120, check=False)
    if done.returncode != 0:
        pytest.fail(f"homeserver.py {' '.join(args)} failed: {done.stderr.strip()}")
    return done.stdout.strip()


def new_registration_token(uses: int = 1) -> str:
    return rig("token-create", "token", "--uses", str(uses))


# Registration tokens named like words of the server's answer (stage names):
# hiding secrets from errors must not change the flows mxreg reads.
TOKEN_NAMES_FROM_THE_ANSWER = ("login", "token", "dummy", "registration")


def named_registration_token(name: str) -> str:
    """A registration token called `name`, made with the admin API if missing."""
    return rig("token-create", "token", "--token", name, "--exist-ok")


def follow_validation_link(address: str, since: float, timeout: float = 60.0) -> None:
    """Wait for the validation mail to `address` and follow its link, as a user would."""
    link = rig("mail-link", "email", "--to", address, "--since", str(since), "--timeout", str(timeout))
    with urllib.request.urlopen(link, timeout=30) as answer:  # noqa: S310 (loopback link from our own server)
        assert answer.status == 200


def retry_rate_limited(call: Callable[[], _T], attempts: int = 8) -> _T:
    """Call again after the server's delay while it answers 429 (other
    suites share the servers)."""
    for _ in range(attempts - 1):
        try:
            return call()
        except mxreg.RateLimitedError as err:
            time.sleep(min(err.retry_after or 1.0, 15.0))
    return call()


def mxreg_cli(
    *args: str, env: dict[str, str] | None = None, timeout: float = 120, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    """Run `python -m mxreg` with this test run's library and package."""
    return subprocess.run(
        [sys.executable, "-m", "mxreg", *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, **(env or {})},
        check=False,
    )


BROWSER = REPO_ROOT / "tests" / "oauth" / "browser.py"


def browse_to(start_url: str, redirect_url: str, username: str, action: str = "signup") -> str:
    """Play the user's browser (tests/oauth/browser.py) from `start_url` (an
    OAuth authorization URL or an SSO URL) to the redirect to `redirect_url`,
    which is returned unopened. `action`: signup, login or deny."""
    done = subprocess.run(
        [sys.executable, str(BROWSER), start_url, "--redirect-uri", redirect_url,
         "--username", username, "--password", PASSWORD, "--action", action],
        capture_output=True, text=True, timeout=120, check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def cli_json(done: subprocess.CompletedProcess[str]) -> dict[str, object]:
    assert done.returncode == 0, f"exit {done.returncode}: {done.stderr}"
    value = json.loads(done.stdout)
    assert isinstance(value, dict)
    return value


# The scripted stand-in homeserver for an email code with a submit_url
# (tests/standin/email_code_server.py): its code.
EMAIL_CODE = "654321"


@contextlib.contextmanager
def email_code_server() -> Iterator[str]:
    """Run the stand-in; yields its base URL, stops it afterwards."""
    script = REPO_ROOT / "tests" / "standin" / "email_code_server.py"
    with subprocess.Popen([sys.executable, str(script)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True) as server:
        assert server.stdout is not None and server.stdin is not None
        try:
            yield server.stdout.readline().strip()
        finally:
            server.stdin.close()
            server.wait(timeout=30)
