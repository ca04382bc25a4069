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
import json
import resource
import sys
import time

from nio import AsyncClient, RegisterResponse


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


async def one_call(client: AsyncClient) -> bool:
    response = await client.register("bench", "bench-Passw0rd-floor", "mxreg bench")
    if isinstance(response, RegisterResponse) and response.user_id:
        return True
    print(f"nio_register: {response}", file=sys.stderr)
    return False


async def run(url: str, seconds: float, max_calls: int, warmup: int) -> int:
    client = AsyncClient(url, "bench")
    calls = errors = 0
    try:
        for _ in range(warmup):
            if not await one_call(client):
                errors += 1
                break
        wall_start, cpu_start = time.monotonic(), cpu_seconds()
        deadline = wall_start + seconds
        while errors == 0 and calls < max_calls:
            if calls % 16 == 0 and time.monotonic() >= deadline:
                break
            if not await one_call(client):
                errors += 1
            calls += 1
        wall, cpu = time.monotonic() - wall_start, cpu_seconds() - cpu_start
    finally:
        await client.close()
    print(json.dumps({"calls": calls, "errors": errors, "wall_s": wall, "cpu_s": cpu, "threads": 1}))
    return 0 if errors == 0 else 1


def main() -> int:
    if len(sys.argv) != 6 or sys.argv[2] != "1":
        print(__doc__, file=sys.stderr)
        return 2
    url, _threads, seconds, max_calls, warmup = sys.argv[1:]
    return asyncio.run(run(url, float(seconds), int(max_calls), int(warmup)))


if __name__ == "__main__":
    sys.exit(main())
