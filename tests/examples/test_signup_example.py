#!/usr/bin/env python3
"""Drive examples/signup through its prompts against the local Synapse servers.

    test_signup_example.py [PATH_TO_SIGNUP]   (default: target/debug/examples/signup)

Each scenario starts the program on one server variant (MXREG_HS_<VARIANT>),
waits for each prompt on its standard output and answers on its standard
input, as a person at a terminal would: registration token (a wrong one
first), terms, email (Enter before and after following the link in the
mail), plus the servers it must turn away. Registration tokens and mail
links come from the rig (MXREG_RIG, else scripts/homeserver.py). Prints one
line per scenario, `ok - name` or `FAIL - name: reason`, then `N passed, N
failed`; the exit status is non-zero on any failure.
"""

from __future__ import annotations

import os
import pty
import select
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Callable

REPO = Path(__file__).resolve().parents[2]
PASSWORD = "mxreg-Passw0rd-long"
PROMPT_TIMEOUT_S = 30.0
POLICY_NAME = "mxreg Test Privacy Policy"


class Failure(Exception):
    pass


def homeserver(variant: str) -> str:
    url = os.environ.get(f"MXREG_HS_{variant}")
    if not url:
        raise Failure(
            f"MXREG_HS_{variant} is not set: export the servers with "
            "eval \"$(python3 scripts/homeserver.py env | sed 's/^/export /')\""
        )
    return url


def rig(*arguments: str) -> str:
    script = os.environ.get("MXREG_RIG") or str(REPO / "scripts" / "homeserver.py")
    done = subprocess.run(
        [sys.executable, script, *arguments], capture_output=True, text=True, timeout=60
    )
    if done.returncode != 0:
        raise Failure(f"rig {' '.join(arguments)} failed: {done.stderr.strip()}")
    return done.stdout.strip()


_counter = 0


def unique_username(prefix: str) -> str:
    global _counter
    _counter += 1
    return f"{prefix}{os.getpid()}x{int(time.time() * 1000)}x{_counter}"


class Conversation:
    """The program running with pipes; prompts are awaited in order."""

    def __init__(self, program: str, *arguments: str) -> None:
        self.process = subprocess.Popen(
            [program, *arguments],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            bufsize=0,
        )
        self.output = ""
        self.position = 0  # where the next awaited text may start

    def _read_some(self, deadline: float) -> bool:
        """Append what the program printed; False at end of output."""
        assert self.process.stdout is not None
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return True
        ready, _, _ = select.select([self.process.stdout], [], [], remaining)
        if ready:
            chunk = os.read(self.process.stdout.fileno(), 4096)
            if not chunk:
                return False
            self.output += chunk.decode("utf-8", errors="replace")
        return True

    def expect(self, text: str, timeout: float = PROMPT_TIMEOUT_S) -> None:
        deadline = time.monotonic() + timeout
        while True:
            found = self.output.find(text, self.position)
            if found >= 0:
                self.position = found + len(text)
                return
            if time.monotonic() >= deadline:
                raise Failure(f"no {text!r} within {timeout:g} s; output so far:\n{self.output}")
            if not self._read_some(deadline):
                raise Failure(f"the program ended before {text!r}; output:\n{self.output}")

    def send(self, line: str) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(line.encode() + b"\n")
        self.process.stdin.flush()

    def finish(self, timeout: float = PROMPT_TIMEOUT_S) -> tuple[int, str, str]:
        """Close stdin, wait for the end; (exit status, stdout, stderr)."""
        assert self.process.stdin is not None and self.process.stderr is not None
        self.process.stdin.close()
        deadline = time.monotonic() + timeout
        while self._read_some(deadline):
            if time.monotonic() >= deadline:
                self.process.kill()
                raise Failure(f"the program did not end; output:\n{self.output}")
        status = self.process.wait(timeout=timeout)
        errors = self.process.stderr.read().decode("utf-8", errors="replace")
        return status, self.output, errors

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        for stream in (self.process.stdin, self.process.stdout, self.process.stderr):
            if stream is not None:
                stream.close()


def check(condition: bool, what: str, output: str = "") -> None:
    if not condition:
        raise Failure(what + (f"; output:\n{output}" if output else ""))


def answer_username_and_password(talk: Conversation, username: str, check_free: bool) -> None:
    talk.expect("Username: ")
    talk.send(username)
    talk.expect("Check whether this username is free first? [y/N] ")
    talk.send("y" if check_free else "")
    if check_free:
        talk.expect("The username is free.")
    talk.expect("Password (echoed): ")
    talk.send(PASSWORD)


def expect_account(talk: Conversation, username: str, secrets: list[str]) -> None:
    """The one stage done, then the account printed, without a secret."""
    talk.expect("Step 1 done.")
    talk.expect("Account created.")
    status, output, errors = talk.finish()
    check(status == 0, f"exit status {status}, stderr: {errors}", output)
    check(f"User ID: @{username}:localhost\n" in output, "no user ID line", output)
    check("Device ID: " in output and "Device ID: (none)" not in output, "no device ID", output)
    for secret in [PASSWORD, *secrets, "syt_"]:
        check(secret not in output + errors, "a secret or token was printed", output)


# ---- scenarios ----------------------------------------------------------------


def scenario_token(program: str) -> None:
    token = rig("token-create", "token", "--uses", "1")
    username = unique_username("extok")
    talk = Conversation(program, homeserver("TOKEN"))
    try:
        talk.expect("Registration flow 1: m.login.registration_token -> m.login.dummy")
        answer_username_and_password(talk, username, check_free=True)
        talk.expect("Step 1: m.login.registration_token")
        talk.expect("Registration token: ")
        talk.send("not-the-token")
        talk.expect("The server did not accept that token")
        talk.expect("Registration token: ")
        talk.send(token)
        expect_account(talk, username, [token])
    finally:
        talk.close()


def scenario_email(program: str) -> None:
    username = unique_username("exmail")
    address = f"{username}@example.org"
    talk = Conversation(program, homeserver("EMAIL"))
    try:
        answer_username_and_password(talk, username, check_free=False)
        talk.expect("Step 1: m.login.email.identity")
        talk.expect("Email address: ")
        talk.send(address)
        talk.expect(f"A mail with a link was sent to {address}.")
        prompt = 'Follow the link in the mail, then press Enter (or type "resend"): '
        talk.expect(prompt)
        # Enter before following the link: asked again.
        talk.send("")
        talk.expect("The address is not validated yet.")
        talk.expect(prompt)
        # The first mail arrives; "resend" sends a second one, whose link is used.
        rig("mail-link", "email", "--to", address, "--timeout", "20")
        resent_after = time.time()
        talk.send("resend")
        talk.expect("Sent again.")
        talk.expect(prompt)
        link = rig(
            "mail-link", "email", "--to", address, "--timeout", "20", "--since", str(resent_after)
        )
        # Straight to the loopback server, whatever proxy the environment names.
        direct = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        with direct.open(link, timeout=10) as page:
            check(page.status == 200, f"the mail link answered {page.status}")
        talk.send("")
        expect_account(talk, username, [])
    finally:
        talk.close()


def scenario_terms(program: str) -> None:
    username = unique_username("exterms")
    talk = Conversation(program, homeserver("TERMS"))
    try:
        answer_username_and_password(talk, username, check_free=False)
        talk.expect("Step 1: m.login.terms")
        talk.expect(f"  - {POLICY_NAME} (version 1.0)\n    {homeserver('TERMS')}/_matrix/consent")
        talk.expect("Do you accept these terms? [y/n] ")
        talk.send("maybe")
        talk.expect("Please answer y or n.")
        talk.expect("Do you accept these terms? [y/n] ")
        talk.send("y")
        expect_account(talk, username, [])
    finally:
        talk.close()


def scenario_terms_declined(program: str) -> None:
    talk = Conversation(program, homeserver("TERMS"))
    try:
        answer_username_and_password(talk, unique_username("exdecline"), check_free=False)
        talk.expect("Do you accept these terms? [y/n] ")
        talk.send("n")
        talk.expect("Sign-up cancelled")
        status, output, _ = talk.finish()
        check(status == 1, f"exit status {status}", output)
        check("Account created." not in output, "an account was reported", output)
    finally:
        talk.close()


def refused_before_asking(variant: str, *said: str) -> Callable[[str], None]:
    """A scenario on a server the example cannot sign up on: it says so
    (the lines `said`, in order) and fails without asking for a username."""

    def scenario(program: str) -> None:
        talk = Conversation(program, homeserver(variant))
        try:
            for line in said:
                talk.expect(line)
            status, output, _ = talk.finish()
            check(status == 1, f"exit status {status}", output)
            check("Username: " not in output, "asked for a username anyway", output)
        finally:
            talk.close()

    return scenario


def scenario_end_of_input(program: str) -> None:
    talk = Conversation(program, homeserver("OPEN"))
    try:
        talk.expect("Username: ")
        status, output, errors = talk.finish()
        check(status == 1, f"exit status {status}", output)
        check("standard input ended" in errors, f"stderr: {errors}", output)
    finally:
        talk.close()


def scenario_password_hidden_on_a_terminal(program: str) -> None:
    """On a terminal (a pseudo-terminal here) the password is not echoed."""
    username = unique_username("extty")
    secret = f"Tty-Passw0rd-{os.getpid()}"
    server = homeserver("TERMS")
    pid, terminal = pty.fork()
    if pid == 0:  # the child becomes the program, the pty its terminal
        try:
            os.execv(program, [program, server])
        finally:
            os._exit(127)
    seen = b""

    def wait_for(text: bytes) -> None:
        nonlocal seen
        deadline = time.monotonic() + PROMPT_TIMEOUT_S
        while text not in seen:
            remaining = deadline - time.monotonic()
            ready, _, _ = select.select([terminal], [], [], max(remaining, 0))
            if not ready:
                raise Failure(f"no {text!r} on the terminal; output:\n{seen.decode()}")
            seen += os.read(terminal, 4096)
        seen = seen.replace(text, b"<seen>", 1)

    def answer(prompt: bytes, line: bytes) -> None:
        wait_for(prompt)
        os.write(terminal, line + b"\n")

    try:
        answer(b"Username: ", username.encode())
        answer(b"[y/N] ", b"")
        # The prompt comes after echo was turned off.
        answer(b"Password: ", secret.encode())
        answer(b"[y/n] ", b"y")
        wait_for(f"User ID: @{username}:localhost".encode())
        check(secret.encode() not in seen, "the password was echoed", seen.decode())
        check(b"(echoed)" not in seen, "the prompt says the password is echoed", seen.decode())
        _, status = os.waitpid(pid, 0)
        pid = 0
        check(os.waitstatus_to_exitcode(status) == 0, f"exit status {status}", seen.decode())
    finally:
        if pid:
            os.kill(pid, 9)
            os.waitpid(pid, 0)
        os.close(terminal)


def scenario_usage(program: str) -> None:
    done = subprocess.run([program], capture_output=True, text=True, timeout=10)
    check(done.returncode == 2, f"exit status {done.returncode}")
    check("usage:" in done.stderr and "echoed" in done.stderr, f"stderr: {done.stderr}")


SCENARIOS: list[tuple[str, Callable[[str], None]]] = [
    ("token", scenario_token),
    ("email", scenario_email),
    ("terms", scenario_terms),
    ("terms_declined", scenario_terms_declined),
    ("closed_server", refused_before_asking(
        "CLOSED", "Sign-up offered: none", "Sign-up is closed on this server (M_FORBIDDEN")),
    ("oauth_only_server", refused_before_asking(
        "OAUTH", "OAuth 2.0 account creation", "This server only signs up through OAuth 2.0 in a browser")),
    ("end_of_input", scenario_end_of_input),
    ("password_hidden_on_a_terminal", scenario_password_hidden_on_a_terminal),
    ("usage", scenario_usage),
]


def main() -> int:
    program = sys.argv[1] if len(sys.argv) > 1 else str(REPO / "target/debug/examples/signup")
    if not os.access(program, os.X_OK):
        print(f"{program} is not built (make {os.path.relpath(program, REPO)})")
        return 1
    passed = failed = 0
    for name, scenario in SCENARIOS:
        try:
            scenario(program)
        except (Failure, OSError, subprocess.SubprocessError) as error:
            failed += 1
            print(f"FAIL - {name}: {error}")
        else:
            passed += 1
            print(f"ok - {name}")
        sys.stdout.flush()
    print(f"{passed} passed, {failed} failed")
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
