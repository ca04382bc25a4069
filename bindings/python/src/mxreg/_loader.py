"""Finding, loading and vetting the native library.

The generated `_raw` module calls `open_library` first (which checks the ABI
version before anything else is bound), then `bind` for each function, then
`check_struct_sizes` for every request struct it mirrors. Any mismatch raises
`LibraryError` at import, never a crash later.
"""

from __future__ import annotations

import ctypes
import os
import sys
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

LIBRARY_ENV = "MXREG_LIBRARY"
"""Environment variable naming the library file to load instead of the packaged one."""


class LibraryError(ImportError):
    """The native library is missing, or is not the one this package was written for."""


def library_file_name() -> str:
    """The platform's file name for the mxreg shared library."""
    if sys.platform == "win32":
        return "mxreg.dll"
    if sys.platform == "darwin":
        return "libmxreg.dylib"
    return "libmxreg.so"


def library_path() -> Path:
    """`$MXREG_LIBRARY` when set, else the copy installed inside this package."""
    override = os.environ.get(LIBRARY_ENV)
    if override:
        path = Path(override)
        if not path.is_file():
            raise LibraryError(f"{LIBRARY_ENV}={override}: no such file")
        return path
    packaged = Path(__file__).resolve().parent / library_file_name()
    if not packaged.is_file():
        raise LibraryError(
            f"the mxreg native library is not at {packaged}: install the package with "
            f"`pip install ./bindings/python` (which builds it), or set {LIBRARY_ENV} "
            f"to a built {library_file_name()}"
        )
    return packaged


def open_library(expected_abi: int) -> ctypes.CDLL:
    """Load the library and refuse it unless its ABI version is `expected_abi`."""
    path = library_path()
    try:
        # CDLL (not PyDLL): calls release the GIL, so blocking calls let other
        # threads and the asyncio loop run.
        lib = ctypes.CDLL(str(path))
    except OSError as err:
        raise LibraryError(f"cannot load the mxreg library {path}: {err}") from err
    try:
        abi_version = lib.mxreg_abi_version
    except AttributeError:
        raise LibraryError(f"{path} is not an mxreg library (no mxreg_abi_version)") from None
    abi_version.restype = ctypes.c_uint32
    abi_version.argtypes = []
    found = int(abi_version())
    if found != expected_abi:
        raise LibraryError(
            f"{path} has mxreg ABI version {found}, but this mxreg package needs ABI "
            f"version {expected_abi}: install a matching library (or unset {LIBRARY_ENV})"
        )
    return lib


def bind(lib: ctypes.CDLL, name: str, restype: Any, argtypes: Sequence[Any]) -> Callable[..., Any]:
    """The C function `name` with its signature set, or, for a library built
    before the function existed (same ABI, fewer functions), a stand-in that
    raises `LibraryError` when called."""
    try:
        function: Callable[..., Any] = getattr(lib, name)
    except AttributeError:
        return _missing(name, lib)
    setattr(function, "restype", restype)
    setattr(function, "argtypes", list(argtypes))
    return function


def _missing(name: str, lib: ctypes.CDLL) -> Callable[..., Any]:
    def unavailable(*_args: object) -> Any:
        raise LibraryError(f"the loaded mxreg library ({lib._name}) has no {name}: it is older than this package")

    return unavailable


def check_struct_sizes(structs: Mapping[str, tuple[type[ctypes.Structure], Callable[[], int]]]) -> None:
    """Refuse a library whose request structs differ in size from our mirrors."""
    for name, (mirror, library_size) in structs.items():
        ours = ctypes.sizeof(mirror)
        try:
            theirs = library_size()
        except LibraryError as err:
            raise LibraryError(f"cannot check the size of {name}: {err}") from None
        if ours != theirs:
            raise LibraryError(
                f"struct {name} is {theirs} bytes in the loaded mxreg library but {ours} "
                "in this package: the library and the package come from different versions"
            )
