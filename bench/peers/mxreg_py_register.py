"""mxreg's Python binding doing the benchmark's registration:
Client.register() (one POST /register through the C library) in a loop on
one client, timed like bench_loop.c.

    mxreg_py_register.py <homeserver-url> <threads> <seconds> <max-calls> <warmup-calls>

The driver points PYTHONPATH at bindings/python/src and MXREG_LIBRARY at the
library under test. Only one thread. Prints
{"calls","errors","wall_s","cpu_s","threads"} as one JSON line; stops at the
first failed call.
"""

from __future__ import annotations

import json
import resource
import sys
import time

import mxreg


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def one_call(client: mxreg.Client) -> bool:
    try:
        account = client.register("bench", "bench-Passw0rd-floor", device_name="mxreg bench")
    except mxreg.MxregError as err:
        print(f"mxreg_py_register: {err!r}", file=sys.stderr)
        return False
    return bool(account.user_id)


def run(url: str, seconds: float, max_calls: int, warmup: int) -> int:
    calls = errors = 0
    with mxreg.Client(url) as client:
        for _ in range(warmup):
            if not one_call(client):
                errors += 1
                break
        wall_start, cpu_start = time.monotonic(), cpu_seconds()
        deadline = wall_start + seconds
        while errors == 0 and calls < max_calls:
            if calls % 16 == 0 and time.monotonic() >= deadline:
                break
            if not one_call(client):
                errors += 1
            calls += 1
        wall, cpu = time.monotonic() - wall_start, cpu_seconds() - cpu_start
    print(json.dumps({"calls": calls, "errors": errors, "wall_s": wall, "cpu_s": cpu, "threads": 1}))
    return 0 if errors == 0 else 1


def main() -> int:
    if len(sys.argv) != 6 or sys.argv[2] != "1":
        print(__doc__, file=sys.stderr)
        return 2
    url, _threads, seconds, max_calls, warmup = sys.argv[1:]
    return run(url, float(seconds), int(max_calls), int(warmup))


if __name__ == "__main__":
    sys.exit(main())
