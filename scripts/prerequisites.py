#!/usr/bin/env python3
"""Check what `make demo` and `make test` need, and install what is missing.

    scripts/prerequisites.py [GROUP ...]      default: test (every group)

Groups: demo, c, python, kotlin, distribution, bench, oauth, test.

Each prerequisite is probed by what the suites use (a command on PATH, a
file), not by a package name, so a tool installed some other way counts.
What is missing and has a Debian package is installed with apt-get when
running as root on a machine that has apt-get; the rest (and everything,
when apt-get cannot run) ends the check at once with one line naming what
to install, exit status 1. PyPI and npm pieces are not checked here: the
targets that need them install them into the checkout as before.

MXREG_PREREQUISITES_NO_INSTALL=1 reports instead of installing even as root.
MXREG_PREREQUISITES_ROOT=DIR looks for the files under DIR instead of /
(for tests/prerequisites, which shows the check a machine without them).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

MINIMUM_PYTHON = (3, 11)
MINIMUM_NODE = 20


@dataclass(frozen=True)
class Prerequisite:
    what: str  # as the message names it
    command: str | None = None  # present when on PATH
    file: str | None = None  # present when it exists
    debian: str | None = None  # the package apt-get installs; None: not ours to install
    hint: str = ""  # how to get it when there is no Debian package for it

    def present(self) -> bool:
        if self.command is not None:
            return shutil.which(self.command) is not None
        root = os.environ.get("MXREG_PREREQUISITES_ROOT", "/")
        return self.file is not None and (Path(root) / self.file.lstrip("/")).is_file()

    def named(self) -> str:
        if self.debian is not None:
            return f"{self.what} (Debian package {self.debian})"
        return f"{self.what} ({self.hint})"


RUST = [
    Prerequisite("cargo", command="cargo", hint="the Rust toolchain: https://rustup.rs"),
    Prerequisite("rustfmt", command="rustfmt", hint="rustup component add rustfmt"),
    Prerequisite("cargo clippy", command="cargo-clippy", hint="rustup component add clippy"),
]
C_COMPILER = Prerequisite("a C compiler (cc)", command="cc", debian="gcc")
CXX_COMPILER = Prerequisite("a C++ compiler (c++)", command="c++", debian="g++")
NODE = Prerequisite("node", command="node", hint=f"Node.js {MINIMUM_NODE} or later: https://nodejs.org")
NPM = Prerequisite("npm", command="npm", hint="npm, which comes with Node.js: https://nodejs.org")
JAVA = Prerequisite("java", command="java", debian="default-jre-headless")

GROUPS: dict[str, list[Prerequisite]] = {
    "demo": [*RUST[:1], C_COMPILER],
    "c": [
        C_COMPILER,
        Prerequisite("valgrind", command="valgrind", debian="valgrind"),
    ],
    "python": [],
    "kotlin": [
        JAVA,
        NODE,
        NPM,
        Prerequisite("JNA", file="/usr/share/java/jna.jar", debian="libjna-java"),
        Prerequisite("JUnit 5", file="/usr/share/java/junit-platform-console-standalone.jar", debian="junit5"),
    ],
    "distribution": [
        C_COMPILER,
        CXX_COMPILER,
        Prerequisite("cmake", command="cmake", debian="cmake"),
        Prerequisite("pkg-config", command="pkg-config", debian="pkgconf"),
        Prerequisite("readelf and nm", command="readelf", debian="binutils"),
    ],
    "bench": [C_COMPILER, NODE, NPM, Prerequisite("strace", command="strace", debian="strace")],
    "oauth": [NODE, NPM],
}
GROUPS["test"] = [*RUST, *(p for group in list(GROUPS.values()) for p in group)]


def python_problem() -> str | None:
    """Python itself: this interpreter is the one the targets run."""
    if sys.version_info < MINIMUM_PYTHON:
        version = ".".join(map(str, MINIMUM_PYTHON))
        return f"Python {version} or later (this is {sys.version.split()[0]})"
    try:
        import ensurepip  # noqa: F401  (venv creates environments with it)
        import venv  # noqa: F401
    except ImportError:
        return "the Python venv module (Debian package python3-venv)"
    return None


def node_problem() -> str | None:
    node = shutil.which("node")
    if node is None:
        return None  # reported as missing
    done = subprocess.run([node, "--version"], capture_output=True, text=True, check=False)
    version = done.stdout.strip()
    major = version.lstrip("v").split(".")[0]
    if major.isdigit() and int(major) >= MINIMUM_NODE:
        return None
    return f"Node.js {MINIMUM_NODE} or later (node is {version or 'unreadable'}; https://nodejs.org)"


def missing(groups: list[str]) -> list[Prerequisite]:
    found: list[Prerequisite] = []
    for group in groups:
        for prerequisite in GROUPS[group]:
            if prerequisite not in found and not prerequisite.present():
                found.append(prerequisite)
    return found


def why_not_install() -> str | None:
    """None when apt-get may install, else the reason it may not."""
    if os.environ.get("MXREG_PREREQUISITES_NO_INSTALL") == "1":
        return "installing is off (MXREG_PREREQUISITES_NO_INSTALL=1)"
    if shutil.which("apt-get") is None:
        return "no apt-get here"
    if os.geteuid() != 0:
        return "not root"
    return None


def apt_install(packages: list[str]) -> bool:
    print("== apt-get install " + " ".join(packages), file=sys.stderr, flush=True)
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for command in (["apt-get", "update", "-qq"], ["apt-get", "install", "-y", "-qq", *packages]):
        if subprocess.run(command, env=env, stdout=subprocess.DEVNULL, check=False).returncode != 0:
            return False
    return True


def stop(names: list[str], note: str = "") -> int:
    """The one line that says what to install."""
    print(f"mxreg: missing prerequisites: {'; '.join(names)}{note}", file=sys.stderr)
    return 1


def main(argv: list[str]) -> int:
    groups = argv or ["test"]
    unknown = [g for g in groups if g not in GROUPS]
    if unknown:
        print(f"prerequisites.py: unknown group {', '.join(unknown)} (known: {', '.join(GROUPS)})", file=sys.stderr)
        return 2
    lacking = missing(groups)
    needs_node = any(NODE in GROUPS[g] for g in groups)
    problems = [p for p in (python_problem(), node_problem() if needs_node else None) if p]
    problems += [p.named() for p in lacking if p.debian is None]
    packages = [p.debian for p in lacking if p.debian is not None]
    if problems:  # apt-get alone cannot finish the job: name everything at once
        return stop(problems + [p.named() for p in lacking if p.debian is not None])
    if not packages:
        return 0
    reason = why_not_install()
    if reason is not None:
        return stop([p.named() for p in lacking], f" ({reason}: apt-get install {' '.join(packages)})")
    if not apt_install(packages):
        return stop([p.named() for p in lacking], " (apt-get failed; its messages are above)")
    still = missing(groups)
    return stop([p.named() for p in still], " (still missing after apt-get install)") if still else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
