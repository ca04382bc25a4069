#!/usr/bin/env python3
"""Register a Matrix account from Python, answering every stage the server asks for.

    pip install ./bindings/python
    python examples/register.py https://matrix.example.org alice

The password comes from $MXREG_PASSWORD or a prompt. A registration token,
the server's terms and an email address are asked for only when the server
wants them. Prints the new user ID (never the tokens).
"""

from __future__ import annotations

import getpass
import os
import sys

import mxreg
from mxreg.auth import EMAIL_IDENTITY, REGISTRATION_TOKEN, TERMS


def complete_stages(signup: mxreg.Signup) -> None:
    """Answer each stage the server wants until the account exists."""
    while signup.status is mxreg.SignupState.NEEDS_STAGE:
        stage = signup.next_stage
        try:
            if stage == REGISTRATION_TOKEN:
                signup.submit_token(input("Registration token: ").strip())
            elif stage == TERMS:
                for policy in signup.policies():
                    print(f"{policy.name} (version {policy.version}): {policy.url}")
                if input("Accept these terms? [y/N] ").strip().lower() != "y":
                    raise SystemExit("terms not accepted: no account created")
                signup.accept_terms()
            elif stage == EMAIL_IDENTITY:
                signup.request_email_token(input("Email address: ").strip())
                print("A validation mail is on its way: follow its link. Waiting...")
                signup.wait_for_email(poll_interval=3.0, timeout=15 * 60)
            else:
                raise SystemExit(f"this example cannot complete {stage}; open {signup.fallback_url}")
        except mxreg.StageRejectedError as err:
            print(f"Not accepted: {err}. Try again.")


def main(argv: list[str]) -> int:
    if len(argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    homeserver, username = argv[1], argv[2]
    password = os.environ.get("MXREG_PASSWORD") or getpass.getpass("Password: ")
    stages = mxreg.Stage.REGISTRATION_TOKEN | mxreg.Stage.TERMS | mxreg.Stage.EMAIL
    try:
        with mxreg.Client(homeserver) as client, client.signup(username, password, stages=stages) as signup:
            signup.start()
            complete_stages(signup)
            account = signup.require_complete()
    except mxreg.MxregError as err:
        print(f"Registration failed: {err}", file=sys.stderr)
        return 1
    print(f"Registered {account.user_id} (device {account.device_id})")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
