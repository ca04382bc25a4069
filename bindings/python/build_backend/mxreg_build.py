"""PEP 517 build backend for the mxreg Python package.

Why a backend of our own: the wheel must carry the native library, built by
cargo from the Rust crate two directories up, and nothing else is needed, so
a short standard-library backend does it with no build dependency to fetch
(setuptools would need a custom build step for cargo anyway).

- `build_wheel` runs `cargo build --lib` on the crate (release by default),
  then zips `src/mxreg/` plus the built library into a platform wheel
  (`py3-none-<platform>`: the library is loaded with ctypes, so the wheel
  does not depend on the Python ABI).
- `build_sdist` packs the package and the crate sources (under `rust/`), so
  a wheel can be built from the sdist alone.

Settings (`pip install --config-settings KEY=VALUE` or the environment):
  profile / MXREG_CARGO_PROFILE    cargo profile, `release` (default) or `dev`
  crate-dir / MXREG_CRATE_DIR      the Rust crate (default: ./rust, else ../..)
"""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import json
import os
import re
import subprocess
import sys
import sysconfig
import tarfile
import time
import tomllib
import zipfile
from pathlib import Path
from typing import Any

PACKAGE = "mxreg"
ROOT = Path.cwd()  # PEP 517: hooks run in the source tree.
CRATE_FILES = ["Cargo.toml", "Cargo.lock", "build.rs", "cbindgen.toml", "src", "include"]
LIBRARY_NAMES = ("libmxreg.so", "libmxreg.dylib", "mxreg.dll")


class BuildError(Exception):
    pass


# --------------------------------------------------------------------------
# metadata
# --------------------------------------------------------------------------


def _setting(config_settings: dict[str, Any] | None, key: str, env: str, default: str | None) -> str | None:
    if config_settings and key in config_settings:
        return str(config_settings[key])
    return os.environ.get(env, default)


def _crate_dir(config_settings: dict[str, Any] | None) -> Path:
    chosen = _setting(config_settings, "crate-dir", "MXREG_CRATE_DIR", None)
    candidates = [Path(chosen)] if chosen else [ROOT / "rust", ROOT.parent.parent]
    for candidate in candidates:
        manifest = candidate / "Cargo.toml"
        if manifest.is_file() and re.search(r'^name = "mxreg"$', manifest.read_text(), re.M):
            return candidate.resolve()
    raise BuildError(
        "cannot find the mxreg Rust crate (looked in "
        + ", ".join(str(c) for c in candidates)
        + "): build from the repository (`pip install ./bindings/python`) or set MXREG_CRATE_DIR"
    )


def _project() -> dict[str, Any]:
    with open(ROOT / "pyproject.toml", "rb") as f:
        project: dict[str, Any] = tomllib.load(f)["project"]
    return project


def _version(config_settings: dict[str, Any] | None) -> str:
    with open(_crate_dir(config_settings) / "Cargo.toml", "rb") as f:
        version: str = tomllib.load(f)["package"]["version"]
    return version


def _metadata(version: str) -> str:
    project = _project()
    lines = [
        "Metadata-Version: 2.1",
        f"Name: {project['name']}",
        f"Version: {version}",
        f"Summary: {project['description']}",
        f"Requires-Python: {project['requires-python']}",
        f"License: {project['license']}",
    ]
    lines += [f"Classifier: {c}" for c in project.get("classifiers", [])]
    return "\n".join(lines) + "\n"


def _entry_points() -> str:
    scripts = _project().get("scripts", {})
    if not scripts:
        return ""
    return "[console_scripts]\n" + "".join(f"{name} = {target}\n" for name, target in scripts.items())


def _dist_info(version: str) -> str:
    return f"{PACKAGE}-{version}.dist-info"


def _platform_tag() -> str:
    return re.sub(r"[^A-Za-z0-9]", "_", sysconfig.get_platform())


def _wheel_name(version: str) -> str:
    return f"{PACKAGE}-{version}-py3-none-{_platform_tag()}.whl"


# --------------------------------------------------------------------------
# cargo
# --------------------------------------------------------------------------


def _build_library(config_settings: dict[str, Any] | None) -> Path:
    """Run cargo and return the path of the shared library it produced."""
    crate = _crate_dir(config_settings)
    profile = _setting(config_settings, "profile", "MXREG_CARGO_PROFILE", "release") or "release"
    command = [
        os.environ.get("CARGO", "cargo"),
        "build",
        "--lib",
        "--locked",
        "--profile",
        profile,
        "--manifest-path",
        str(crate / "Cargo.toml"),
        "--message-format=json-render-diagnostics",
    ]
    print("mxreg build: " + " ".join(command), file=sys.stderr, flush=True)
    try:
        # cargo's progress and diagnostics go to stderr; stdout is JSON.
        done = subprocess.run(command, stdout=subprocess.PIPE, text=True, check=False)
    except FileNotFoundError:
        raise BuildError("cargo was not found: install the Rust toolchain (https://rustup.rs)") from None
    if done.returncode != 0:
        raise BuildError(f"cargo build failed (exit {done.returncode}); its messages are above")
    for line in done.stdout.splitlines():
        try:
            message = json.loads(line)
        except ValueError:
            continue
        if message.get("reason") != "compiler-artifact" or message["target"]["name"] != PACKAGE:
            continue
        for filename in message.get("filenames", []):
            if Path(filename).name in LIBRARY_NAMES:
                return Path(filename)
    raise BuildError("cargo finished but reported no mxreg shared library")


# --------------------------------------------------------------------------
# wheel
# --------------------------------------------------------------------------


def _package_files() -> list[tuple[str, Path]]:
    """(path in the wheel, file) for the Python sources and py.typed."""
    package_dir = ROOT / "src" / PACKAGE
    files = []
    for path in sorted(package_dir.rglob("*")):
        if path.is_dir() or "__pycache__" in path.parts or path.name in LIBRARY_NAMES:
            continue
        if path.suffix in (".py", ".typed"):
            files.append((f"{PACKAGE}/{path.relative_to(package_dir).as_posix()}", path))
    return files


def _record_line(name: str, data: bytes) -> list[str]:
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return [name, f"sha256={digest}", str(len(data))]


def _write_wheel(path: Path, contents: list[tuple[str, bytes, int]], version: str) -> None:
    dist_info = _dist_info(version)
    records = []
    # A fixed timestamp (SOURCE_DATE_EPOCH when set) makes the zip reproducible.
    stamp = time.gmtime(int(os.environ.get("SOURCE_DATE_EPOCH", "315532800")))[:6]
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as wheel:
        for name, data, mode in contents:
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.external_attr = (0o100000 | mode) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            wheel.writestr(info, data)
            records.append(_record_line(name, data))
        record = io.StringIO()
        writer = csv.writer(record, lineterminator="\n")
        writer.writerows(records + [[f"{dist_info}/RECORD", "", ""]])
        info = zipfile.ZipInfo(f"{dist_info}/RECORD", date_time=stamp)
        info.external_attr = 0o100644 << 16
        wheel.writestr(info, record.getvalue())


def _dist_info_files(version: str) -> list[tuple[str, bytes]]:
    wheel_file = (
        "Wheel-Version: 1.0\n"
        "Generator: mxreg_build\n"
        "Root-Is-Purelib: false\n"
        f"Tag: py3-none-{_platform_tag()}\n"
    )
    files = [("METADATA", _metadata(version)), ("WHEEL", wheel_file), ("top_level.txt", f"{PACKAGE}\n")]
    if _entry_points():
        files.append(("entry_points.txt", _entry_points()))
    return [(name, text.encode()) for name, text in files]


def get_requires_for_build_wheel(config_settings: dict[str, Any] | None = None) -> list[str]:
    return []


def get_requires_for_build_sdist(config_settings: dict[str, Any] | None = None) -> list[str]:
    return []


def prepare_metadata_for_build_wheel(
    metadata_directory: str, config_settings: dict[str, Any] | None = None
) -> str:
    version = _version(config_settings)
    target = Path(metadata_directory) / _dist_info(version)
    target.mkdir(parents=True, exist_ok=True)
    for name, data in _dist_info_files(version):
        (target / name).write_bytes(data)
    return target.name


def build_wheel(
    wheel_directory: str, config_settings: dict[str, Any] | None = None, metadata_directory: str | None = None
) -> str:
    version = _version(config_settings)
    library = _build_library(config_settings)
    contents: list[tuple[str, bytes, int]] = [(name, path.read_bytes(), 0o644) for name, path in _package_files()]
    contents.append((f"{PACKAGE}/{library.name}", library.read_bytes(), 0o755))
    dist_info = _dist_info(version)
    contents += [(f"{dist_info}/{name}", data, 0o644) for name, data in _dist_info_files(version)]
    name = _wheel_name(version)
    Path(wheel_directory).mkdir(parents=True, exist_ok=True)
    _write_wheel(Path(wheel_directory) / name, contents, version)
    return name


# --------------------------------------------------------------------------
# sdist
# --------------------------------------------------------------------------


def _sdist_members(crate: Path) -> list[tuple[str, Path]]:
    members = [("pyproject.toml", ROOT / "pyproject.toml")]
    for folder in ("build_backend", "src"):
        for path in sorted((ROOT / folder).rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts and path.name not in LIBRARY_NAMES:
                members.append((path.relative_to(ROOT).as_posix(), path))
    for name in CRATE_FILES:
        source = crate / name
        paths = sorted(p for p in source.rglob("*") if p.is_file()) if source.is_dir() else [source]
        members += [(f"rust/{p.relative_to(crate).as_posix()}", p) for p in paths]
    return members


def build_sdist(sdist_directory: str, config_settings: dict[str, Any] | None = None) -> str:
    crate = _crate_dir(config_settings)
    version = _version(config_settings)
    base = f"{PACKAGE}-{version}"
    name = f"{base}.tar.gz"
    Path(sdist_directory).mkdir(parents=True, exist_ok=True)
    mtime = int(os.environ.get("SOURCE_DATE_EPOCH", "315532800"))
    with tarfile.open(Path(sdist_directory) / name, "w:gz", format=tarfile.PAX_FORMAT) as sdist:
        pkg_info = _metadata(version).encode()
        info = tarfile.TarInfo(f"{base}/PKG-INFO")
        info.size, info.mtime, info.mode = len(pkg_info), mtime, 0o644
        sdist.addfile(info, io.BytesIO(pkg_info))
        for arcname, path in _sdist_members(crate):
            data = path.read_bytes()
            info = tarfile.TarInfo(f"{base}/{arcname}")
            info.size, info.mtime, info.mode = len(data), mtime, 0o644
            sdist.addfile(info, io.BytesIO(data))
    return name
