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

import sys

import mxreg
from timed_calls import arguments, run_calls  # this directory is on sys.path: it holds this script


def one_call(client: mxreg.Client) -> bool:
    try:
        account = client.register("bench", "bench-Passw0rd-floor", device_name="mxreg bench")
    except mxreg.MxregError as err:
        print(f"mxreg_py_register: {err!r}", file=sys.stderr)
        return False
    return bool(account.user_id)


def main() -> int:
    args = arguments(__doc__)
    if args is None:
        return 2
    url, seconds, max_calls, warmup = args
    with mxreg.Client(url) as client:
        return run_calls(lambda: one_call(client), seconds, max_calls, warmup)


if __name__ == "__main__":
    sys.exit(main())
