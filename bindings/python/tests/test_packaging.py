"""The build backend: metadata, sdist contents, and the done criterion of
the package: a fresh virtualenv, `pip install ./bindings/python`, then
`python -m mxreg register` against the local Synapse."""

from __future__ import annotations

import os
import subprocess
import sys
import tarfile
import tomllib
import venv
from pathlib import Path

import pytest
from support import PASSWORD, REPO_ROOT, homeserver, unique_username

PACKAGE_DIR = REPO_ROOT / "bindings" / "python"


def backend(hook: str, *args: str) -> str:
    """Call a hook of the build backend the way a frontend does (in the package directory)."""
    code = f"import sys, mxreg_build; print(mxreg_build.{hook}(*sys.argv[1:]))"
    done = subprocess.run(
        [sys.executable, "-c", code, *args],
        cwd=PACKAGE_DIR,
        env={**os.environ, "PYTHONPATH": str(PACKAGE_DIR / "build_backend")},
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def crate_version() -> str:
    with open(REPO_ROOT / "Cargo.toml", "rb") as f:
        version: str = tomllib.load(f)["package"]["version"]
    return version


def test_metadata_takes_the_crate_version(tmp_path: Path) -> None:
    name = backend("prepare_metadata_for_build_wheel", str(tmp_path))
    assert name == f"mxreg-{crate_version()}.dist-info"
    metadata = (tmp_path / name / "METADATA").read_text()
    assert "Name: mxreg\n" in metadata and f"Version: {crate_version()}\n" in metadata
    assert "mxreg = mxreg.__main__:main" in (tmp_path / name / "entry_points.txt").read_text()


def test_the_sdist_carries_the_crate_and_no_binary(tmp_path: Path) -> None:
    name = backend("build_sdist", str(tmp_path))
    with tarfile.open(tmp_path / name) as sdist:
        members = set(sdist.getnames())
    base = name.removesuffix(".tar.gz")
    for needed in ("pyproject.toml", "build_backend/mxreg_build.py", "src/mxreg/py.typed", "src/mxreg/_raw.py",
                   "rust/Cargo.toml", "rust/Cargo.lock", "rust/build.rs", "rust/src/lib.rs", "rust/include/mxreg.h"):
        assert f"{base}/{needed}" in members, needed
    assert not any(m.endswith((".so", ".dylib", ".dll")) or "__pycache__" in m for m in members)


@pytest.mark.timeout(900)
def test_pip_install_in_a_fresh_venv_then_register(tmp_path: Path) -> None:
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    python = env_dir / "bin" / "python"
    clean_env = {k: v for k, v in os.environ.items() if k not in ("MXREG_LIBRARY", "PYTHONPATH")}
    install = subprocess.run(
        [str(python), "-m", "pip", "install", "--disable-pip-version-check", "--no-input", str(PACKAGE_DIR)],
        env=clean_env, capture_output=True, text=True, timeout=900, check=False,
    )
    assert install.returncode == 0, install.stdout[-3000:] + install.stderr[-3000:]

    installed = subprocess.run(
        [str(python), "-c", "import mxreg, pathlib; print(pathlib.Path(mxreg.__file__).parent)"],
        env=clean_env, cwd=tmp_path, capture_output=True, text=True, timeout=60, check=False,
    )
    package = Path(installed.stdout.strip())
    assert (package / "libmxreg.so").is_file() and (package / "py.typed").is_file()
    assert env_dir in package.parents  # the installed copy, not the source tree

    username = unique_username("pyfresh")
    done = subprocess.run(
        [str(python), "-m", "mxreg", "register", "--homeserver", homeserver("open"),
         "--username", username, "--password", PASSWORD],
        env=clean_env, cwd=tmp_path, capture_output=True, text=True, timeout=120, check=False,
    )
    assert done.returncode == 0, done.stderr
    assert f'"user_id": "@{username}:' in done.stdout

    # MXREG_LIBRARY overrides the packaged library, and a wrong one is refused.
    override = subprocess.run(
        [str(python), "-m", "mxreg", "probe", homeserver("open")],
        env={**clean_env, "MXREG_LIBRARY": str(tmp_path / "missing.so")},
        cwd=tmp_path, capture_output=True, text=True, timeout=60, check=False,
    )
    assert override.returncode != 0 and "missing.so: no such file" in override.stderr
