"""Build the mxreg package with setuptools-rust, in its no-binding mode: cargo
builds the crate's C ABI library (no Python binding inside; the package
loads it with ctypes) and it is placed in the package as `_loader` expects.

The crate is two directories up in the repository, or under `rust/` in the
sdist (which the sdist command below copies it into). Two adjustments to
what setuptools-rust does for an extension module: the library keeps its
platform name (libmxreg.so, not an interpreter-specific suffix), and the
wheel is tagged py3-none-<platform>, since it holds no Python extension.
"""

from __future__ import annotations

import shutil
import sys
import tomllib
from pathlib import Path
from typing import Any

from setuptools import setup
from setuptools.command.bdist_wheel import bdist_wheel
from setuptools.command.sdist import sdist
from setuptools_rust import Binding, RustExtension, build_rust

HERE = Path(__file__).resolve().parent
CRATE = HERE / "rust" if (HERE / "rust" / "Cargo.toml").is_file() else HERE.parent.parent
CRATE_FILES = ["Cargo.toml", "Cargo.lock", "build.rs", "cbindgen.toml", "src", "include"]
LIBRARY = {"win32": "mxreg.dll", "darwin": "libmxreg.dylib"}.get(sys.platform, "libmxreg.so")


def crate_version() -> str:
    with open(CRATE / "Cargo.toml", "rb") as f:
        version: str = tomllib.load(f)["package"]["version"]
    return version


class BuildLibrary(build_rust):
    """Names the library as the platform does, where `_loader` finds it."""

    def get_dylib_ext_path(self, ext: RustExtension, target_fname: str) -> str:
        return str(Path(super().get_dylib_ext_path(ext, target_fname)).with_name(LIBRARY))


class PlatformWheel(bdist_wheel):
    """Any Python 3 on this platform: the wheel carries no extension module."""

    def get_tag(self) -> tuple[str, str, str]:
        _, _, platform = super().get_tag()
        return "py3", "none", platform


class SdistWithCrate(sdist):
    """Adds the crate's sources under rust/, so the sdist builds alone."""

    def make_release_tree(self, base_dir: str, files: Any) -> None:
        super().make_release_tree(base_dir, files)
        for name in CRATE_FILES:
            source, target = CRATE / name, Path(base_dir) / "rust" / name
            if source.is_dir():
                shutil.copytree(source, target, ignore=shutil.ignore_patterns("__pycache__"))
            else:
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(source, target)


setup(
    version=crate_version(),
    rust_extensions=[
        RustExtension(
            "mxreg.libmxreg",
            path=str(CRATE / "Cargo.toml"),
            binding=Binding.NoBinding,
            cargo_manifest_args=["--locked"],
            debug=False,
        )
    ],
    cmdclass={"build_rust": BuildLibrary, "bdist_wheel": PlatformWheel, "sdist": SdistWithCrate},
    zip_safe=False,
)
