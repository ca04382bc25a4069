"""One `Client` shared by several threads, and `close()` racing calls."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from support import PASSWORD, homeserver, unique_username

import mxreg
from mxreg.auth import DUMMY


def test_one_client_serves_many_threads() -> None:
    names = [unique_username("pythread") for _ in range(8)]
    with mxreg.Client(homeserver("stress")) as client, ThreadPoolExecutor(max_workers=4) as pool:
        accounts = list(pool.map(lambda name: client.register(name, PASSWORD, auth={"type": DUMMY}), names))
    assert sorted(a.localpart for a in accounts) == sorted(names)


def test_close_while_calls_run_lets_them_finish() -> None:
    client = mxreg.Client(homeserver("stress"))
    started = threading.Barrier(5)
    results: list[object] = []

    def register() -> None:
        started.wait()
        try:
            results.append(client.register(unique_username("pyrace"), PASSWORD, auth={"type": DUMMY}))
        except mxreg.ClosedError as err:
            results.append(err)

    threads = [threading.Thread(target=register) for _ in range(4)]
    for thread in threads:
        thread.start()
    started.wait()
    client.close()
    for thread in threads:
        thread.join(60)
    # Each call either ran to the end on its own reference or saw the close.
    assert len(results) == 4
    assert all(isinstance(r, (mxreg.Registration, mxreg.ClosedError)) for r in results)
    with pytest.raises(mxreg.ClosedError):
        client.register(unique_username("pyrace"), PASSWORD)
