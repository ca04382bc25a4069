"""Loading the native library: the override, the ABI and struct-size checks,
and the generated table against the header and the library."""

from __future__ import annotations

import ctypes
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from support import REPO_ROOT

import mxreg
from mxreg import _loader, _raw


def import_in_subprocess(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", "import mxreg; print(mxreg.library_version())"],
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        timeout=60,
        check=False,
    )


def test_library_and_package_versions_match() -> None:
    assert mxreg.library_version() == mxreg.__version__ == _raw.MXREG_VERSION
    assert _raw.mxreg_abi_version() == mxreg.ABI_VERSION == _raw.MXREG_ABI_VERSION


def test_the_override_names_the_loaded_file() -> None:
    assert _loader.library_path() == Path(os.environ[_loader.LIBRARY_ENV])


def test_a_missing_override_file_is_refused_clearly() -> None:
    done = import_in_subprocess({"MXREG_LIBRARY": "/nonexistent/libmxreg.so"})
    assert done.returncode != 0
    assert "LibraryError: MXREG_LIBRARY=/nonexistent/libmxreg.so: no such file" in done.stderr


def test_a_library_that_is_not_mxreg_is_refused() -> None:
    import _ctypes  # a shared library that is surely there and surely not mxreg

    done = import_in_subprocess({"MXREG_LIBRARY": _ctypes.__file__})
    assert done.returncode != 0
    assert "is not an mxreg library (no mxreg_abi_version)" in done.stderr


def test_an_abi_mismatch_is_refused_with_both_versions() -> None:
    with pytest.raises(mxreg.LibraryError, match=rf"ABI version {_raw.MXREG_ABI_VERSION}, but .* needs ABI version 999"):
        _loader.open_library(999)


def test_a_struct_size_mismatch_is_refused() -> None:
    class Grown(ctypes.Structure):
        _fields_ = [("struct_size", ctypes.c_size_t), ("extra", ctypes.c_uint64)]

    with pytest.raises(mxreg.LibraryError, match="struct grown is 8 bytes in the loaded mxreg library but 16"):
        _loader.check_struct_sizes({"grown": (Grown, lambda: 8)})


def test_every_mirrored_struct_matches_the_library() -> None:
    for name, (mirror, library_size) in _raw.STRUCT_SIZE_FUNCTIONS.items():
        assert ctypes.sizeof(mirror) == library_size(), name


def test_a_function_missing_from_an_older_library_raises_when_called() -> None:
    stand_in = _loader.bind(_raw._lib, "mxreg_function_from_the_future", ctypes.c_uint32, [])
    with pytest.raises(mxreg.LibraryError, match="has no mxreg_function_from_the_future: it is older"):
        stand_in()


def test_every_header_function_is_in_the_table_and_the_library() -> None:
    header = (REPO_ROOT / "include" / "mxreg.h").read_text()
    code = re.sub(r"/\*.*?\*/", "", header, flags=re.S)
    names = set(re.findall(r"\b(mxreg_\w+)\(", code))
    assert len(names) > 40
    for name in sorted(names):
        assert callable(getattr(_raw, name)), name
        # Bound to the real symbol (argtypes set), not to a stand-in.
        assert getattr(getattr(_raw, f"_{name}"), "argtypes", None) is not None, name


def test_every_result_code_has_its_own_exception_class() -> None:
    for code in mxreg.ResultCode:
        if code is mxreg.ResultCode.OK:
            continue
        cls = mxreg.errors.error_class(code)
        assert cls.default_code == code, f"{code.name} has no exception class of its own"
        name = (_raw.mxreg_result_name(code) or b"").decode()
        assert name == f"MXREG_RESULT_{code.name}"


def test_an_unknown_result_code_gets_the_class_of_its_range() -> None:
    assert mxreg.errors.error_class(99) is mxreg.LocalError
    assert mxreg.errors.error_class(199) is mxreg.TransportError
    assert mxreg.errors.error_class(299) is mxreg.ServerError
    err = mxreg.errors.error_class(299)("new", code=299)
    assert err.code == 299 and str(err) == "new"
