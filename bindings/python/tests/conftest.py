"""Fixtures: a leak check around every test, and a client for the open variant."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest
from support import homeserver

import mxreg


@pytest.fixture(autouse=True)
def no_leaked_handles() -> Iterator[None]:
    """Every test must free (or let be collected) every native handle it made."""
    gc.collect()
    before = mxreg.live_handles()
    yield
    gc.collect()
    assert mxreg.live_handles() == before, "native handles left alive by this test"


@pytest.fixture
def open_client() -> Iterator[mxreg.Client]:
    with mxreg.Client(homeserver("open")) as client:
        yield client
