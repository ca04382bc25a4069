"""How the rig reports: its exit codes, its failures, its log lines."""

from __future__ import annotations

import sys
import threading

EXIT_FAIL = 1
EXIT_PORT_IN_USE = 2
EXIT_ALREADY_RUNNING = 3

# Variants start in parallel threads; their lines must not interleave.
_print_lock = threading.Lock()


class RigError(Exception):
    """A failure with a message and an exit code."""

    def __init__(self, message: str, code: int = EXIT_FAIL):
        super().__init__(message)
        self.code = code


def log(msg: str) -> None:
    with _print_lock:
        print(msg, file=sys.stderr, flush=True)
