"""mxreg's Python binding doing one sign-up flow once, for the latency
benchmark (bench/latency.py runs it against the delaying proxy).

    mxreg_flows.py <flow> <url> [<argument>]

Flows:
  probe      probe_server(url)
  register   Client.signup(...) on an open server (m.login.dummy is automatic)
  token      Client.signup(..., stages=REGISTRATION_TOKEN), then the token (<argument>)
  terms      Client.signup(..., stages=TERMS), then accept the terms
  oauth      discover_oauth(), register_client(...), start_authorization(...)
  refresh    Client.refresh(<argument>)

Times the flow alone (the library is loaded and the client made first);
prints {"wall_s": ...} as one JSON line. A failure exits non-zero.
"""

from __future__ import annotations

import json
import sys
import time
import uuid

import mxreg

PASSWORD = "bench-Passw0rd-latency"
REDIRECT_URI = "http://127.0.0.1:8765/callback"


def username() -> str:
    return f"lat{uuid.uuid4().hex[:12]}"


def signup(client: mxreg.Client, stages: mxreg.Stage | None, answer) -> None:
    kwargs = {} if stages is None else {"stages": stages}
    with client.signup(username(), PASSWORD, **kwargs) as session:
        session.start()
        while session.status == mxreg.SignupState.NEEDS_STAGE:
            answer(session)
        session.require_complete()


def run(flow: str, url: str, argument: str | None) -> None:
    if flow == "probe":
        started = time.monotonic()
        mxreg.probe_server(url, allow_insecure_http=True)
        print(json.dumps({"wall_s": time.monotonic() - started}))
        return
    with mxreg.Client(url) as client:
        started = time.monotonic()
        if flow == "register":
            signup(client, None, lambda s: sys.exit(f"unexpected stage {s.next_stage}"))
        elif flow == "token":
            signup(client, mxreg.Stage.REGISTRATION_TOKEN, lambda s: s.submit_token(argument))
        elif flow == "terms":
            signup(client, mxreg.Stage.TERMS, lambda s: s.accept_terms())
        elif flow == "oauth":
            with client.discover_oauth() as server:
                app = server.register_client(client_uri="https://mxreg.test.invalid/", redirect_uris=[REDIRECT_URI])
                server.start_authorization(app.client_id, REDIRECT_URI).close()
        elif flow == "refresh":
            client.refresh(argument)
        else:
            sys.exit(f"unknown flow {flow}")
        print(json.dumps({"wall_s": time.monotonic() - started}))


if __name__ == "__main__":
    if len(sys.argv) not in (3, 4):
        sys.exit(__doc__)
    run(sys.argv[1], sys.argv[2], sys.argv[3] if len(sys.argv) == 4 else None)
