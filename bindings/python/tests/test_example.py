"""examples/register.py, driven through its prompts like a user would."""

from __future__ import annotations

import os
import subprocess
import sys

from support import PASSWORD, REPO_ROOT, homeserver, new_registration_token, unique_username

EXAMPLE = REPO_ROOT / "examples" / "register.py"


def run_example(server: str, username: str, answers: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(EXAMPLE), server, username],
        input=answers, capture_output=True, text=True, timeout=120,
        env={**os.environ, "MXREG_PASSWORD": PASSWORD}, check=False,
    )


def test_the_example_answers_a_wrong_then_a_right_token() -> None:
    username = unique_username("pyexample")
    done = run_example(homeserver("token"), username, f"wrong-token\n{new_registration_token()}\n")
    assert done.returncode == 0, done.stderr
    assert "Not accepted:" in done.stdout
    assert f"Registered @{username}:" in done.stdout


def test_the_example_shows_the_terms_and_stops_when_refused() -> None:
    done = run_example(homeserver("terms"), unique_username("pyexterms"), "n\n")
    assert done.returncode != 0 and "/_matrix/consent" in done.stdout
    assert "terms not accepted" in done.stderr
    accepted = run_example(homeserver("terms"), unique_username("pyexterms"), "y\n")
    assert accepted.returncode == 0 and "Registered @" in accepted.stdout
