"""matrix-nio doing one sign-up flow once, for the latency benchmark
(bench/latency.py runs it against the delaying proxy).

    nio_flows.py <flow> <url> [<argument>]

Flows (what nio offers for each):
  discovery  discovery_info() (.well-known) and login_info() (GET /login)
  register   register() (one POST /register with m.login.dummy)
  token      register_with_token(..., <argument>)

Times the flow alone (the client is made first); prints {"wall_s": ...} as
one JSON line. A failure exits non-zero.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
import uuid

from nio import AsyncClient, DiscoveryInfoError, LoginInfoResponse, RegisterResponse

PASSWORD = "bench-Passw0rd-latency"


async def run(flow: str, url: str, argument: str | None) -> None:
    client = AsyncClient(url, f"lat{uuid.uuid4().hex[:12]}")
    try:
        started = time.monotonic()
        if flow == "discovery":
            # A server without .well-known answers 404: that is an answer.
            found = await client.discovery_info()
            login = await client.login_info()
            if isinstance(found, DiscoveryInfoError) and found.status_code not in (404, None):
                sys.exit(f"nio_flows: {found}")
            if not isinstance(login, LoginInfoResponse):
                sys.exit(f"nio_flows: {login}")
        elif flow in ("register", "token"):
            if flow == "register":
                answer = await client.register(client.user, PASSWORD, "latency bench")
            else:
                answer = await client.register_with_token(client.user, PASSWORD, argument, "latency bench")
            if not isinstance(answer, RegisterResponse):
                sys.exit(f"nio_flows: {answer}")
        else:
            sys.exit(f"unknown flow {flow}")
        print(json.dumps({"wall_s": time.monotonic() - started}))
    finally:
        await client.close()


if __name__ == "__main__":
    if len(sys.argv) not in (3, 4):
        sys.exit(__doc__)
    asyncio.run(run(sys.argv[1], sys.argv[2], sys.argv[3] if len(sys.argv) == 4 else None))
