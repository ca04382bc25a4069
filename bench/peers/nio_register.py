"""matrix-nio doing the benchmark's registration: AsyncClient.register()
(one POST /register with an m.login.dummy auth dict) in a loop on one client,
timed like bench_loop.c.

    nio_register.py <homeserver-url> <threads> <seconds> <max-calls> <warmup-calls>

Only one thread (nio is asyncio: one loop, calls awaited in turn). Prints
{"calls","errors","wall_s","cpu_s","threads"} as one JSON line; stops at the
first failed call.
"""

from __future__ import annotations

import asyncio
import sys

from nio import AsyncClient, RegisterResponse
from timed_calls import arguments, run_calls_async  # this directory is on sys.path: it holds this script


async def one_call(client: AsyncClient) -> bool:
    response = await client.register("bench", "bench-Passw0rd-floor", "mxreg bench")
    if isinstance(response, RegisterResponse) and response.user_id:
        return True
    print(f"nio_register: {response}", file=sys.stderr)
    return False


async def run(url: str, seconds: float, max_calls: int, warmup: int) -> int:
    client = AsyncClient(url, "bench")
    try:
        return await run_calls_async(lambda: one_call(client), seconds, max_calls, warmup)
    finally:
        await client.close()


def main() -> int:
    args = arguments(__doc__)
    if args is None:
        return 2
    return asyncio.run(run(*args))


if __name__ == "__main__":
    sys.exit(main())
