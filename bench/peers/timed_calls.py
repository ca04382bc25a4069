"""What the registration peers share: the timed loop of bench_loop.c (warm-up
calls, then calls until the time or the call budget is spent, stopping at the
first failure), its command line and its one JSON line of results. Standard
library only: it runs under the peer's own Python (nio's virtualenv too).

The loop is written once, as a generator that yields when a call is due and
is sent whether it succeeded, so that a plain and an asyncio peer both drive
it (`run_calls`, `run_calls_async`).
"""

from __future__ import annotations

import json
import resource
import sys
import time
from collections.abc import Awaitable, Callable, Generator

Schedule = Generator[None, bool, int]


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _schedule(seconds: float, max_calls: int, warmup: int) -> Schedule:
    """Yields for each call; prints the results; returns the exit status."""
    calls = errors = 0
    for _ in range(warmup):
        if not (yield):
            errors += 1
            break
    wall_start, cpu_start = time.monotonic(), cpu_seconds()
    deadline = wall_start + seconds
    while errors == 0 and calls < max_calls:
        if calls % 16 == 0 and time.monotonic() >= deadline:
            break
        if not (yield):
            errors += 1
        calls += 1
    wall, cpu = time.monotonic() - wall_start, cpu_seconds() - cpu_start
    print(json.dumps({"calls": calls, "errors": errors, "wall_s": wall, "cpu_s": cpu, "threads": 1}))
    return 0 if errors == 0 else 1


def run_calls(one_call: Callable[[], bool], seconds: float, max_calls: int, warmup: int) -> int:
    schedule = _schedule(seconds, max_calls, warmup)
    try:
        next(schedule)
        while True:
            schedule.send(one_call())
    except StopIteration as done:
        return done.value


async def run_calls_async(
    one_call: Callable[[], Awaitable[bool]], seconds: float, max_calls: int, warmup: int
) -> int:
    schedule = _schedule(seconds, max_calls, warmup)
    try:
        next(schedule)
        while True:
            schedule.send(await one_call())
    except StopIteration as done:
        return done.value


def arguments(doc: str) -> tuple[str, float, int, int] | None:
    """(url, seconds, max calls, warm-up calls) from the command line, or
    None after printing `doc` when it is not one thread's command line."""
    if len(sys.argv) != 6 or sys.argv[2] != "1":
        print(doc, file=sys.stderr)
        return None
    url, _threads, seconds, max_calls, warmup = sys.argv[1:]
    return url, float(seconds), int(max_calls), int(warmup)
