"""Runs last (file order): nothing the suite made is still alive."""

from __future__ import annotations

import gc

import mxreg


def test_no_native_handle_is_left_alive() -> None:
    gc.collect()
    assert mxreg.live_handles() == {}
