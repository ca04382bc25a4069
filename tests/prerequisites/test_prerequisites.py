"""scripts/prerequisites.py on machines that lack something, shown through
a PATH that holds only chosen commands (stand-ins: only their presence is
probed, and node's version) and MXREG_PREREQUISITES_ROOT (a
directory standing for / when the script looks for files):

- as an unprivileged user (setpriv to nobody): one line naming exactly what
  is missing, exit 1, nothing installed;
- as root with an apt-get stand-in first on PATH (it records its arguments
  and then provides what was asked for): the missing Debian packages are
  asked for in one `apt-get install`, and the check passes;
- when nothing is missing: silence and exit 0.

Run with `make prerequisites-suite` (part of `make test`).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SCRIPT = REPO / "scripts" / "prerequisites.py"
# The commands a full machine has: stand-ins in each test's PATH unless left out.
COMMANDS = ["cargo", "rustfmt", "cargo-clippy", "cc", "c++", "valgrind", "java", "node", "npm",
            "cmake", "pkg-config", "readelf", "strace"]
JARS = ["usr/share/java/jna.jar", "usr/share/java/junit-platform-console-standalone.jar"]
# Stands in for apt-get: records its arguments, and `install` provides a
# command named after each package (enough for the probes of cmake, strace...).
FAKE_APT_GET = """#!/bin/sh
echo "$*" >> "$APT_LOG"
if [ "$1" = install ]; then
  for p in "$@"; do
    case "$p" in -*|install) ;; *) printf '#!/bin/sh\\n' > "$FAKE_BIN/$p"; /bin/chmod +x "$FAKE_BIN/$p";; esac
  done
fi
"""


class MachineView:
    """A PATH directory and a file root that show only what the test chooses."""

    def __init__(self, lacking: set[str]) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="mxreg-prereq-"))
        self.bin = self.dir / "bin"
        self.root = self.dir / "root"
        self.bin.mkdir()
        for command in COMMANDS:
            if command not in lacking:
                # Only presence is probed, and node's version.
                (self.bin / command).write_text("#!/bin/sh\necho v20.19.0\n")
        for jar in JARS:
            if Path(jar).name not in lacking:
                (self.root / jar).parent.mkdir(parents=True, exist_ok=True)
                (self.root / jar).write_bytes(b"")
        # World-readable and executable, so that nobody can run the check in it.
        for path in [self.dir, *self.dir.rglob("*")]:
            path.chmod(0o755)

    def run(self, *groups: str, as_nobody: bool = False, fake_apt: bool = False,
            no_install: bool = False) -> subprocess.CompletedProcess[str]:
        env = {
            "PATH": str(self.bin),
            "MXREG_PREREQUISITES_ROOT": str(self.root),
            "HOME": str(self.dir),
            "LANG": "C.UTF-8",
        }
        if fake_apt:
            (self.bin / "apt-get").write_text(FAKE_APT_GET)
            (self.bin / "apt-get").chmod(0o755)
            env.update(APT_LOG=str(self.dir / "apt.log"), FAKE_BIN=str(self.bin))
        if no_install:
            env["MXREG_PREREQUISITES_NO_INSTALL"] = "1"
        python = "/usr/bin/python3" if as_nobody else sys.executable  # nobody cannot enter /root
        command = [python, str(SCRIPT), *groups]
        if as_nobody:
            command = [shutil.which("setpriv") or "setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", *command]
        return subprocess.run(command, env=env, capture_output=True, text=True, timeout=120, check=False)

    def apt_log(self) -> list[str]:
        log = self.dir / "apt.log"
        return log.read_text().splitlines() if log.exists() else []

    def close(self) -> None:
        shutil.rmtree(self.dir)


class Prerequisites(unittest.TestCase):
    def view(self, lacking: set[str]) -> MachineView:
        view = MachineView(lacking)
        self.addCleanup(view.close)
        return view

    def test_a_complete_machine_passes_silently(self) -> None:
        done = self.view(set()).run("test")
        self.assertEqual((done.returncode, done.stderr), (0, ""))

    @unittest.skipUnless(os.geteuid() == 0 and shutil.which("setpriv"), "needs root and setpriv to become nobody")
    def test_without_root_one_line_names_what_to_install(self) -> None:
        view = self.view({"cmake", "jna.jar", "junit-platform-console-standalone.jar"})
        done = view.run("test", as_nobody=True, fake_apt=True)
        self.assertEqual(done.returncode, 1, done.stderr)
        lines = done.stderr.splitlines()
        self.assertEqual(len(lines), 1, done.stderr)
        for named in ("cmake (Debian package cmake)", "JNA (Debian package libjna-java)",
                      "JUnit 5 (Debian package junit5)", "not root",
                      "apt-get install libjna-java junit5 cmake"):
            self.assertIn(named, lines[0])
        self.assertEqual(view.apt_log(), [], "nothing is installed without root")

    @unittest.skipUnless(os.geteuid() == 0, "installing needs root")
    def test_as_root_the_missing_packages_are_installed(self) -> None:
        view = self.view({"cmake", "strace", "valgrind"})
        done = view.run("test", fake_apt=True)
        self.assertEqual(done.returncode, 0, done.stderr)
        self.assertEqual(view.apt_log(), ["update -qq", "install -y -qq valgrind cmake strace"])

    def test_only_the_groups_asked_for_are_checked(self) -> None:
        view = self.view({"cmake"})
        self.assertEqual(view.run("demo", "c").returncode, 0)
        self.assertEqual(view.run("distribution").returncode, 1)

    def test_what_apt_get_cannot_give_is_named_even_as_root(self) -> None:
        view = self.view({"node", "npm", "cmake"})
        done = view.run("oauth", "distribution", fake_apt=True)
        self.assertEqual(done.returncode, 1)
        self.assertEqual(len(done.stderr.splitlines()), 1, done.stderr)
        self.assertIn("node (Node.js 20 or later: https://nodejs.org)", done.stderr)
        self.assertIn("cmake (Debian package cmake)", done.stderr)
        self.assertEqual(view.apt_log(), [], "a partial install would still leave the run stopped")

    def test_installing_can_be_turned_off(self) -> None:
        view = self.view({"cmake"})
        done = view.run("distribution", fake_apt=True, no_install=True)
        self.assertEqual(done.returncode, 1)
        self.assertIn("installing is off", done.stderr)
        self.assertEqual(view.apt_log(), [])


if __name__ == "__main__":
    unittest.main()
