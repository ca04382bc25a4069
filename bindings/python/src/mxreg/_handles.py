"""Ownership of native handles: free once, count what is alive.

Every native handle the package holds goes through `OwnedHandle`, so that
`live_handles()` can tell tests (and leak-hunting users) how many are still
alive. `close()` frees at once and is safe to repeat; `weakref.finalize` is
the backstop for objects dropped without `close()`. `HandleOwner` is the
lifetime plumbing (`closed`, `close()`, `with`, checked calls) that every
class owning one handle shares.
"""

from __future__ import annotations

import ctypes
import threading
import weakref
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from types import TracebackType
from typing import TYPE_CHECKING, Generic, Self, TypeVar

from ._native import check, new_error_slot
from .errors import ClosedError

_H = TypeVar("_H", bound=ctypes.Structure)

_live_lock = threading.Lock()
_live: Counter[str] = Counter()


def live_handles() -> dict[str, int]:
    """How many native handles of each kind this process holds right now
    (kinds with none are left out). An empty dict means nothing is leaked."""
    with _live_lock:
        return {kind: count for kind, count in _live.items() if count}


def _track(kind: str, delta: int) -> None:
    with _live_lock:
        _live[kind] += delta


def _release(kind: str, free: Callable[[ctypes._Pointer[_H]], None], pointer: ctypes._Pointer[_H]) -> None:
    """The finaliser: free the handle and uncount it. Holds no reference to
    the owner, so the owner can be collected."""
    free(pointer)
    _track(kind, -1)


class OwnedHandle(Generic[_H]):
    """One native handle that this process must free exactly once.

    `get()` gives the pointer while open and raises `ClosedError` after
    `close()`. For handles that several threads may use at once, `use()`
    marks a call in progress: `close()` then waits for the calls running
    and refuses new ones, so the handle is never freed under a call.
    """

    def __init__(
        self,
        owner: object,
        kind: str,
        pointer: ctypes._Pointer[_H],
        free: Callable[[ctypes._Pointer[_H]], None],
    ) -> None:
        if not pointer:
            raise ValueError(f"{kind}: the library returned a NULL handle")
        self._kind = kind
        self._pointer: ctypes._Pointer[_H] | None = pointer
        self._calls = 0
        self._idle = threading.Condition()
        _track(kind, +1)
        # Tied to the owner: when it is collected without close(), this frees.
        self._finalizer = weakref.finalize(owner, _release, kind, free, pointer)

    @property
    def closed(self) -> bool:
        return not self._finalizer.alive

    def get(self) -> ctypes._Pointer[_H]:
        pointer = self._pointer
        if pointer is None or not self._finalizer.alive:
            raise ClosedError(f"this {self._kind} is closed")
        return pointer

    @contextmanager
    def use(self) -> Iterator[ctypes._Pointer[_H]]:
        """The pointer, held for one call that `close()` waits for."""
        with self._idle:
            pointer = self.get()
            self._calls += 1
        try:
            yield pointer
        finally:
            with self._idle:
                self._calls -= 1
                self._idle.notify_all()

    def close(self) -> None:
        """Free the handle once the calls in `use()` have returned. A second
        call does nothing."""
        with self._idle:
            self._pointer = None  # no new call starts
            self._idle.wait_for(lambda: self._calls == 0)
            self._finalizer()


if TYPE_CHECKING:
    # A fallible C call on a handle: (handle, error_out) -> result code.
    _Call = Callable[[ctypes._Pointer[_H], ctypes._CArgObject], int]


class HandleOwner(Generic[_H]):
    """Base of the classes that own one native handle in `_handle`.

    Entering `with` checks the handle is still open; leaving it closes.
    `_call()` runs one fallible C call on the handle, which `_borrow()`
    lends (by default through `OwnedHandle.use`, so `close()` waits for it).
    """

    _handle: OwnedHandle[_H]

    # No docstrings on these: an owner documents its own `close()`.
    @property
    def closed(self) -> bool:
        return self._handle.closed

    def close(self) -> None:
        self._handle.close()

    def __enter__(self) -> Self:
        self._handle.get()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def _borrow(self) -> AbstractContextManager[ctypes._Pointer[_H]]:
        """The handle, lent for one call."""
        return self._handle.use()

    def _call(self, call: _Call[_H]) -> None:
        """Run `call` on the borrowed handle with a fresh `error_out`, then
        raise what it reports (`check`, after the handle is given back)."""
        error = new_error_slot()
        with self._borrow() as pointer:
            code = call(pointer, ctypes.byref(error))
        check(code, error)
