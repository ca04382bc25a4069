"""The package as users get it: the sdist and the manylinux wheel that
`make wheel` built (MXREG_PYTHON_DIST names their directory), the wheel
installed into a fresh virtualenv and registering on the local Synapse, and
`pip install ./bindings/python` from the source tree."""

from __future__ import annotations

import os
import re
import subprocess
import tarfile
import tomllib
import venv
import zipfile
from pathlib import Path

import pytest
from support import PASSWORD, REPO_ROOT, homeserver, unique_username

PACKAGE_DIR = REPO_ROOT / "bindings" / "python"
# The wheel holds no Python extension: any Python 3, manylinux x86-64.
WHEEL_NAME = re.compile(r"mxreg-(?P<version>[^-]+)-py3-none-manylinux_\d+_\d+_x86_64\.whl")


def crate_version() -> str:
    with open(REPO_ROOT / "Cargo.toml", "rb") as f:
        version: str = tomllib.load(f)["package"]["version"]
    return version


def dist_dir() -> Path:
    value = os.environ.get("MXREG_PYTHON_DIST")
    if not value:
        pytest.fail("MXREG_PYTHON_DIST is not set: run the suite with `make test-python`, which builds the wheel")
    return Path(value)


def built(pattern: str) -> Path:
    found = sorted(dist_dir().glob(pattern))
    assert len(found) == 1, f"expected one {pattern} in {dist_dir()}, found {found}"
    return found[0]


def clean_env() -> dict[str, str]:
    """No override: the package must use the library it carries."""
    return {k: v for k, v in os.environ.items() if k not in ("MXREG_LIBRARY", "PYTHONPATH")}


def fresh_venv(where: Path) -> Path:
    venv.create(where, with_pip=True)
    return where / "bin" / "python"


def run(python: Path, *args: str, cwd: Path, env: dict[str, str] | None = None,
        timeout: int = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(python), *args], env=env or clean_env(), cwd=cwd, capture_output=True,
                          text=True, timeout=timeout, check=False)


def register_through_the_cli(python: Path, cwd: Path, prefix: str) -> None:
    username = unique_username(prefix)
    done = run(python, "-m", "mxreg", "register", "--homeserver", homeserver("open"),
               "--username", username, "--password", PASSWORD, cwd=cwd)
    assert done.returncode == 0, done.stderr
    assert f'"user_id": "@{username}:' in done.stdout


def installed_package(python: Path, cwd: Path) -> Path:
    done = run(python, "-c", "import mxreg, pathlib; print(pathlib.Path(mxreg.__file__).parent)", cwd=cwd)
    assert done.returncode == 0, done.stderr
    return Path(done.stdout.strip())


def test_the_wheel_is_tagged_for_any_python_on_manylinux() -> None:
    wheel = built("*.whl")
    match = WHEEL_NAME.fullmatch(wheel.name)
    assert match, f"{wheel.name} is not a py3-none-manylinux_*_x86_64 wheel"
    assert match["version"] == crate_version()
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        dist_info = f"mxreg-{crate_version()}.dist-info"
        wheel_file = archive.read(f"{dist_info}/WHEEL").decode()
        metadata = archive.read(f"{dist_info}/METADATA").decode()
        entry_points = archive.read(f"{dist_info}/entry_points.txt").decode()
    assert {"mxreg/libmxreg.so", "mxreg/py.typed", "mxreg/_raw.py", "mxreg/client.py"} <= names
    assert not any(".cpython-" in name for name in names), "the library keeps its platform name"
    assert "Root-Is-Purelib: false" in wheel_file
    assert re.search(r"^Tag: py3-none-manylinux_\d+_\d+_x86_64$", wheel_file, re.M), wheel_file
    assert "Name: mxreg\n" in metadata and f"Version: {crate_version()}\n" in metadata
    assert "mxreg = mxreg.__main__:main" in entry_points


def test_the_sdist_carries_the_crate_and_no_binary() -> None:
    sdist = built("*.tar.gz")
    assert sdist.name == f"mxreg-{crate_version()}.tar.gz"
    with tarfile.open(sdist) as archive:
        members = set(archive.getnames())
    base = f"mxreg-{crate_version()}"
    for needed in ("pyproject.toml", "setup.py", "src/mxreg/py.typed", "src/mxreg/_raw.py",
                   "rust/Cargo.toml", "rust/Cargo.lock", "rust/build.rs", "rust/src/lib.rs",
                   "rust/include/mxreg.h"):
        assert f"{base}/{needed}" in members, needed
    assert not any(m.endswith((".so", ".dylib", ".dll")) or "__pycache__" in m for m in members)


@pytest.mark.timeout(300)
def test_the_wheel_installs_into_a_fresh_venv_and_registers(tmp_path: Path) -> None:
    python = fresh_venv(tmp_path / "venv")
    install = run(python, "-m", "pip", "install", "--disable-pip-version-check", "--no-input", "--no-index",
                  str(built("*.whl")), cwd=tmp_path, timeout=300)
    assert install.returncode == 0, install.stdout[-3000:] + install.stderr[-3000:]
    package = installed_package(python, tmp_path)
    assert (package / "libmxreg.so").is_file() and (package / "py.typed").is_file()
    assert tmp_path / "venv" in package.parents  # the installed copy, not the source tree

    register_through_the_cli(python, tmp_path, "pywheel")
    # The installed `mxreg` script too, and the library API.
    username = unique_username("pywheelapi")
    code = ("import mxreg, sys\n"
            "with mxreg.Client(sys.argv[1]) as client:\n"
            "    with client.signup(sys.argv[2], sys.argv[3]) as signup:\n"
            "        signup.start()\n"
            "        print(signup.require_complete().user_id)\n")
    done = run(python, "-c", code, homeserver("open"), username, PASSWORD, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(f"@{username}:")
    script = run(tmp_path / "venv" / "bin" / "mxreg", "probe", homeserver("open"), cwd=tmp_path)
    assert script.returncode == 0, script.stderr

    # MXREG_LIBRARY overrides the packaged library, and a wrong one is refused.
    override = run(python, "-m", "mxreg", "probe", homeserver("open"), cwd=tmp_path,
                   env={**clean_env(), "MXREG_LIBRARY": str(tmp_path / "missing.so")})
    assert override.returncode != 0 and "missing.so: no such file" in override.stderr


@pytest.mark.timeout(900)
def test_pip_install_of_the_source_tree_in_a_fresh_venv_then_register(tmp_path: Path) -> None:
    python = fresh_venv(tmp_path / "venv")
    install = run(python, "-m", "pip", "install", "--disable-pip-version-check", "--no-input", str(PACKAGE_DIR),
                  cwd=tmp_path, env={**clean_env(), "CARGO_TARGET_DIR": str(REPO_ROOT / "target")}, timeout=900)
    assert install.returncode == 0, install.stdout[-3000:] + install.stderr[-3000:]
    package = installed_package(python, tmp_path)
    assert (package / "libmxreg.so").is_file()
    assert tmp_path / "venv" in package.parents
    register_through_the_cli(python, tmp_path, "pyfresh")
