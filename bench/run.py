#!/usr/bin/env python3
"""The mxreg benchmark driver: what a registration costs the app around it.

Starts the local responder (bench/responder.c), runs every client against it
(the raw-socket floor, mxreg through its C API with one and with several
threads, mxreg through the Python binding, matrix-nio and matrix-js-sdk),
then prints one table with ratios against the floor measured in the same run.

Per client, over repeated, interleaved runs (medians):
  calls/s and client CPU per call     the client's own timed loop
  syscalls and threads per call       strace -f -c at two call counts; the
                                      difference cancels start-up
  start + first call, peak RSS        a whole process making one call
                                      (wall time from spawn to exit; ru_maxrss)
One-thread clients run on one CPU together with the responder (see
`placed`); clients with several threads are not pinned. Then the stripped
library sizes and what a static link adds to a C program, the C example's
footprint, the same registration against a real Synapse to show the
server's share, and the latency rows (bench/latency.py): each sign-up flow
through a proxy that delays every answer, for mxreg and the peers.

It prints figures and never asserts a time: the exit status is non-zero only
when a client fails or a figure cannot be measured. `--smoke` runs every row
for a handful of calls, to prove the benchmark still works.

Standard library only.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

from latency import Latency, LatencyError, rig_env
from latency import print_table as print_latency_table

ROOT = Path(__file__).resolve().parent.parent

# Figures the issue sets as targets; printed next to the measured ones.
TARGET_C_VS_FLOOR = 0.8
TARGET_C_VS_NIO = 3.5
TARGET_C_VS_JSSDK = 10.0
TARGET_PY_VS_NIO = 2.0
TARGET_SYSCALLS = 4.0
TARGET_CPU_VS_FLOOR = 2.0
TARGET_SO_MIB = 2.0
TARGET_RSS_MB = 6.0
# "About two" answer round trips after the first connection, which every
# client pays before it can ask `.well-known` (the proxy counts a new
# connection as a delay); the half is the server's and the client's own time.
TARGET_PROBE_DELAYS = 2.5


# Whole-process measurements (start + first call, peak RSS) per run.
ONCE_PER_RUN = 2


class BenchError(Exception):
    """A client failed or a figure could not be measured."""


@dataclass
class Row:
    """One client configuration: how to run it for `calls` calls."""

    name: str
    threads: int
    command: list[str]  # followed by <threads> <seconds> <max-calls> <warmup>
    env: dict[str, str] = field(default_factory=dict)
    unavailable: str | None = None
    per_process: bool = True  # measure syscalls, start-up and RSS
    loops: list[dict[str, float]] = field(default_factory=list)
    syscalls: float | None = None
    spawned: float | None = None
    start_ms: list[float] = field(default_factory=list)
    rss_kib: list[int] = field(default_factory=list)

    def argv(self, seconds: float, max_calls: int, warmup: int) -> list[str]:
        return [*self.command, str(self.threads), str(seconds), str(max_calls), str(warmup)]

    def calls_per_second(self) -> float:
        return statistics.median(loop["calls"] / loop["wall_s"] for loop in self.loops)

    def cpu_us_per_call(self) -> float:
        return statistics.median(1e6 * loop["cpu_s"] / loop["calls"] for loop in self.loops)


def environment(extra: dict[str, str]) -> dict[str, str]:
    env = dict(os.environ)
    env.update(extra)
    return env


def run_loop(row: Row, seconds: float, max_calls: int, warmup: int) -> dict[str, float]:
    """One timed loop; the client prints one JSON line."""
    done = subprocess.run(
        row.argv(seconds, max_calls, warmup),
        env=environment(row.env),
        capture_output=True,
        text=True,
        timeout=seconds + 120,
    )
    lines = done.stdout.strip().splitlines()
    if done.returncode != 0 or not lines:
        raise BenchError(f"{row.name}: exit {done.returncode}: {done.stderr.strip()[-600:]}")
    result: dict[str, float] = json.loads(lines[-1])
    if result["errors"] or result["calls"] <= 0:
        raise BenchError(f"{row.name}: {result}: {done.stderr.strip()[-600:]}")
    return result


def strace_totals(row: Row, calls: int, workdir: Path) -> tuple[int, int]:
    """(all syscalls, thread/process creations) of a whole run of `calls`."""
    output = workdir / "strace.txt"
    done = subprocess.run(
        ["strace", "-f", "-c", "-o", str(output), *row.argv(1e6, calls, 0)],
        env=environment(row.env),
        capture_output=True,
        text=True,
        timeout=300,
    )
    if done.returncode != 0:
        raise BenchError(f"{row.name} under strace: {done.stderr.strip()[-600:]}")
    total = spawned = 0
    for line in output.read_text().splitlines():
        fields = line.split()
        # "% time  seconds  usecs/call  calls  [errors]  syscall"
        if len(fields) < 5 or not re.fullmatch(r"[\d.]+", fields[0]):
            continue
        name, count = fields[-1], int(fields[3])
        if name == "total":
            total = count
        elif name in ("clone", "clone3", "fork", "vfork"):
            spawned += count
    if total == 0:
        raise BenchError(f"{row.name}: strace counted nothing")
    return total, spawned


def measure_syscalls(row: Row, few: int, many: int) -> None:
    with tempfile.TemporaryDirectory() as workdir:
        low = strace_totals(row, few, Path(workdir))
        high = strace_totals(row, many, Path(workdir))
    row.syscalls = (high[0] - low[0]) / (many - few)
    row.spawned = (high[1] - low[1]) / (many - few)


def run_once(launcher: Path, argv: list[str], env: dict[str, str], name: str) -> tuple[float, int]:
    """Wall ms from spawn to exit, and peak RSS in KiB, of one process
    (measured by bench/spawn_once.c, see there why)."""
    done = subprocess.run(
        [str(launcher), *argv], env=environment(env), capture_output=True, text=True, timeout=300
    )
    lines = done.stdout.strip().splitlines()
    if done.returncode != 0 or not lines:
        raise BenchError(f"{name} (one call): launcher failed: {done.stderr.strip()[-600:]}")
    figures = json.loads(lines[-1])
    if figures["status"] != 0:
        raise BenchError(f"{name} (one call): exit {figures['status']}: {done.stderr.strip()[-600:]}")
    return figures["wall_ms"], figures["maxrss_kib"]


def mib_and_bytes(size: int) -> str:
    return f"{size / 2**20:.2f} MiB ({size:,} B)"


def print_sizes(args: argparse.Namespace, bin_dir: Path) -> int:
    """Print the size rows; the stripped libmxreg.so's size in bytes."""
    lib = Path(args.lib)
    so_bytes = stripped_size(lib, [])
    sizes = f"libmxreg.so {mib_and_bytes(so_bytes)}"
    if args.static:
        a_bytes = stripped_size(Path(args.static), ["--strip-debug"])
        sizes += f", libmxreg.a {a_bytes / 2**20:.2f} MiB (debug info stripped)"
    print(f"Stripped library sizes ({lib.parent}): {sizes}")
    if args.static_example:
        grown = stripped_size(Path(args.static_example), []) - stripped_size(bin_dir / "register", [])
        print(
            f"Static link: examples/register linked with libmxreg.a is {mib_and_bytes(grown)} larger "
            f"(stripped) than linked with libmxreg.so"
        )
    return so_bytes


def stripped_size(path: Path, flags: list[str]) -> int:
    with tempfile.TemporaryDirectory() as workdir:
        copy = Path(workdir) / path.name
        subprocess.run(["strip", *flags, "-o", str(copy), str(path)], check=True)
        return copy.stat().st_size


@dataclass
class Responder:
    process: subprocess.Popen[str]
    url: str

    @classmethod
    def start(cls, binary: Path) -> Responder:
        process = subprocess.Popen(
            [str(binary), "900"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )
        assert process.stdout is not None
        port = process.stdout.readline().strip()
        if not port.isdigit():
            process.kill()
            raise BenchError("the responder did not start")
        return cls(process, f"http://127.0.0.1:{port}")

    def stop(self) -> None:
        # Closing its stdin ends it; the lifetime argument is the backstop.
        if self.process.stdin:
            self.process.stdin.close()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def synapse_url() -> tuple[str | None, str]:
    """The rig's `stress` Synapse (rate limits lifted), else `open`."""
    urls = {key: os.environ[key] for key in ("MXREG_HS_STRESS", "MXREG_HS_OPEN") if key in os.environ}
    if not urls:
        urls = rig_env()
    for key in ("MXREG_HS_STRESS", "MXREG_HS_OPEN"):
        url = urls.get(key)
        if not url:
            continue
        try:
            with urllib.request.urlopen(f"{url}/_matrix/client/versions", timeout=3):
                return url, key
        except OSError:
            continue
    return None, "no local Synapse answering (scripts/homeserver.py start-all starts them)"


def python_binding_problem(env: dict[str, str]) -> str | None:
    done = subprocess.run(
        [sys.executable, "-c", "import mxreg"],
        env=environment(env),
        capture_output=True,
        text=True,
    )
    if done.returncode == 0:
        return None
    last = (done.stderr.strip().splitlines() or ["import failed"])[-1]
    return f"mxreg not importable from bindings/python/src ({last})"


def build_rows(args: argparse.Namespace, url: str) -> list[Row]:
    bin_dir = Path(args.bin)
    port = url.rsplit(":", 1)[1]
    rows = [
        Row("floor: raw socket loop (C)", 1, [str(bin_dir / "floor"), port]),
        Row("floor: raw socket loop (C)", args.threads, [str(bin_dir / "floor"), port], per_process=False),
        Row("mxreg C API", 1, [str(bin_dir / "mxreg_c"), url]),
        Row("mxreg C API, one shared client", args.threads, [str(bin_dir / "mxreg_c"), url], per_process=False),
    ]
    py_env = {"PYTHONPATH": str(ROOT / "bindings" / "python" / "src"), "MXREG_LIBRARY": str(Path(args.lib).resolve())}
    rows.append(
        Row(
            "mxreg Python binding",
            1,
            [sys.executable, str(ROOT / "bench" / "peers" / "mxreg_py_register.py"), url],
            env=py_env,
            unavailable=python_binding_problem(py_env),
        )
    )
    peers = Path(args.peers)
    nio_python = peers / "venv" / "bin" / "python"
    rows.append(
        Row(
            f"matrix-nio {args.nio_version}",
            1,
            [str(nio_python), str(ROOT / "bench" / "peers" / "nio_register.py"), url],
            unavailable=None if nio_python.exists() else f"not installed in {nio_python.parent.parent}",
        )
    )
    sdk = peers / "node" / "node_modules" / "matrix-js-sdk"
    rows.append(
        Row(
            f"matrix-js-sdk {args.jssdk_version}",
            1,
            ["node", str(ROOT / "bench" / "peers" / "jssdk_register.mjs"), str(sdk), url],
            unavailable=None if (sdk / "package.json").exists() else f"not installed in {sdk}",
        )
    )
    return rows


def fmt(value: float | None, digits: int = 0) -> str:
    if value is None:
        return "—"
    return f"{value:,.{digits}f}"


def ratio(value: float | None, base: float | None) -> str:
    if value is None or not base:
        return "—"
    return f"{value / base:.2f}×"


def print_table(rows: list[Row], floors: dict[int, Row]) -> None:
    """Each row against the floor with as many threads."""
    print(
        "| client | threads | calls/s | vs floor | CPU µs/call | vs floor | syscalls/call "
        "| threads spawned/call | start + first call | peak RSS |"
    )
    print("|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|")
    for row in rows:
        if row.unavailable:
            print(f"| {row.name} | {row.threads} | not available: {row.unavailable} | | | | | | | |")
            continue
        floor = floors[row.threads]
        calls = row.calls_per_second()
        cpu = row.cpu_us_per_call()
        start = f"{statistics.median(row.start_ms):.1f} ms" if row.start_ms else "—"
        rss = f"{statistics.median(row.rss_kib) / 1024:.1f} MiB" if row.rss_kib else "—"
        print(
            f"| {row.name} | {row.threads} | {fmt(calls)} | {ratio(calls, floor.calls_per_second())} "
            f"| {fmt(cpu, 1)} | {ratio(cpu, floor.cpu_us_per_call())} | {fmt(row.syscalls, 1)} "
            f"| {fmt(row.spawned, 2)} | {start} | {rss} |"
        )


@dataclass
class Target:
    """One of the issue's targets, checked against this run's figures."""

    label: str
    value: float | None  # None: the row it needs was not available
    bound: float
    at_least: bool  # value >= bound, else value <= bound

    def line(self) -> str:
        goal = f"{'≥' if self.at_least else '≤'} {self.bound:g}"
        if self.value is None:
            return f"  {self.label}: — (target {goal}): n/a"
        met = self.value >= self.bound if self.at_least else self.value <= self.bound
        return f"  {self.label}: {self.value:.2f} (target {goal}): {'met' if met else 'NOT met'}"


def speed_ratio(row: Row, base: Row) -> float | None:
    if row.unavailable or base.unavailable:
        return None
    return row.calls_per_second() / base.calls_per_second()


def targets(
    rows: list[Row], threads: int, so_bytes: int, example_rss_kib: float, probe_delays: float | None
) -> list[Target]:
    floor, floor_n, c_one, c_n, python_row, nio, jssdk = rows
    floor_scaling = floor_n.calls_per_second() / floor.calls_per_second()
    c_nio, c_jssdk = speed_ratio(c_one, nio), speed_ratio(c_one, jssdk)
    return [
        Target("C API calls/s ÷ floor", speed_ratio(c_one, floor), TARGET_C_VS_FLOOR, True),
        Target("C API calls/s ÷ matrix-nio", c_nio, TARGET_C_VS_NIO, True),
        Target("C API calls/s ÷ matrix-js-sdk", c_jssdk, TARGET_C_VS_JSSDK, True),
        Target("Python binding calls/s ÷ matrix-nio", speed_ratio(python_row, nio), TARGET_PY_VS_NIO, True),
        Target("C API threads spawned per call", c_one.spawned, 0, False),
        Target("C API syscalls per call", c_one.syscalls, TARGET_SYSCALLS, False),
        Target("C API CPU per call ÷ floor", c_one.cpu_us_per_call() / floor.cpu_us_per_call(), TARGET_CPU_VS_FLOOR, False),
        # Scaling as the floor scales on this machine (the responder shares its cores).
        Target(
            f"C API {threads} threads ÷ 1 thread, over the floor's ({floor_scaling:.2f})",
            c_n.calls_per_second() / c_one.calls_per_second() / min(threads, floor_scaling),
            0.8,
            True,
        ),
        Target("stripped libmxreg.so MiB", so_bytes / 2**20, TARGET_SO_MIB, False),
        Target("C example peak RSS MB", example_rss_kib * 1024 / 1e6, TARGET_RSS_MB, False),
        Target(
            "probe wall time in delays, less the first connection's (latency rows)",
            None if probe_delays is None else probe_delays - 1,
            TARGET_PROBE_DELAYS,
            False,
        ),
    ]


@contextlib.contextmanager
def placed(responder: Responder, together: bool) -> Iterator[None]:
    """With `together`, the client (a child of this process) and the
    responder's new connection threads all run on the first CPU. Left to the
    scheduler, a one-thread client and its responder thread land on one core
    or on two, and the figures jump between two regimes: across cores each
    call also pays two cross-CPU wake-ups, which on this virtual machine cost
    about 12 µs of the caller's CPU and swamp the client's own cost (the
    floor reads 18 µs per call instead of 6). On one core the figures are the
    clients' own. Several threads are never pinned: they must spread."""
    cpus = sorted(os.sched_getaffinity(0))
    if not together or len(cpus) < 2:
        yield
        return
    os.sched_setaffinity(0, cpus[:1])
    os.sched_setaffinity(responder.process.pid, cpus[:1])
    try:
        yield
    finally:
        os.sched_setaffinity(0, cpus)
        os.sched_setaffinity(responder.process.pid, cpus)


def measure_clients(args: argparse.Namespace, launcher: Path, responder: Responder) -> list[Row]:
    warmup = 2 if args.smoke else 200
    max_calls = 20 if args.smoke else 10_000_000
    rows = build_rows(args, responder.url)
    runnable = [row for row in rows if not row.unavailable]
    # Interleave the clients, so that a noisy moment hits all of them.
    for _ in range(args.repeats):
        for row in runnable:
            with placed(responder, row.threads == 1):
                row.loops.append(run_loop(row, args.seconds, max_calls, warmup))
                # A single process start varies more than a loop: several per run.
                for _ in range(ONCE_PER_RUN if row.per_process else 0):
                    ms, rss = run_once(launcher, row.argv(1e6, 1, 0), row.env, row.name)
                    row.start_ms.append(ms)
                    row.rss_kib.append(rss)
    if shutil.which("strace") is None:
        raise BenchError("strace is not installed (apt-get install strace)")
    few, many = (5, 15) if args.smoke else (200, 1200)
    for row in runnable:
        if row.per_process:
            measure_syscalls(row, few, many)
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bin", required=True, help="directory with the programs built from bench/")
    parser.add_argument("--lib", required=True, help="the libmxreg.so under test")
    parser.add_argument("--static", help="the libmxreg.a under test (size only)")
    parser.add_argument(
        "--static-example", help="examples/register linked with libmxreg.a: what the static link adds to it"
    )
    parser.add_argument("--latency-delay-ms", type=float, default=100.0, help="the proxy's delay per answer")
    parser.add_argument("--latency-repeats", type=int, default=3)
    parser.add_argument("--peers", default=str(ROOT / "bench" / ".peers"))
    parser.add_argument("--nio-version", default="?")
    parser.add_argument("--jssdk-version", default="?")
    parser.add_argument("--repeats", type=int, default=10)
    parser.add_argument("--seconds", type=float, default=0.5, help="per timed loop")
    parser.add_argument("--threads", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--synapse-registrations", type=int, default=20)
    parser.add_argument("--smoke", action="store_true", help="every row for a few calls")
    parser.add_argument("--sizes-only", action="store_true", help="only the size rows (no client runs)")
    args = parser.parse_args()
    if args.sizes_only:
        print_sizes(args, Path(args.bin))
        return 0
    if args.smoke:
        args.repeats, args.seconds, args.synapse_registrations = 1, 0.05, 1
        args.latency_delay_ms, args.latency_repeats = 5.0, 1

    bin_dir = Path(args.bin)
    launcher = bin_dir / "spawn_once"
    responder = Responder.start(bin_dir / "responder")
    try:
        rows = measure_clients(args, launcher, responder)
        example = [str(bin_dir / "register"), responder.url, "bench-example", "bench-Passw0rd-floor"]
        with placed(responder, True):
            example_runs = [
                run_once(launcher, example, {}, "examples/register") for _ in range(ONCE_PER_RUN * args.repeats)
            ]
    finally:
        responder.stop()
    synapse, synapse_note = synapse_url()
    synapse_loop = None
    if synapse:
        synapse_row = Row("mxreg C API vs Synapse", 1, [str(bin_dir / "mxreg_c"), "--unique-names", synapse])
        synapse_loop = run_loop(synapse_row, 60.0, args.synapse_registrations, 1)

    if args.smoke:
        print("SMOKE RUN (debug library, a few calls per client): it proves every row runs; the figures mean nothing.")
    print(
        f"mxreg benchmark: {os.cpu_count()} cores, {args.repeats} interleaved runs of {args.seconds:g} s "
        f"per client (medians); responder: bench/responder.c on 127.0.0.1 (thread per connection, "
        f"keep-alive, canned 200 register answer); each call is one POST /register on a kept-alive connection."
    )
    print()
    print_table(rows, {1: rows[0], args.threads: rows[1]})
    print()
    so_bytes = print_sizes(args, bin_dir)
    example_ms = statistics.median(ms for ms, _ in example_runs)
    example_rss = statistics.median(rss for _, rss in example_runs)
    print(
        f"C example (examples/register, one registration, process spawn to exit): "
        f"{example_ms:.1f} ms, peak RSS {example_rss / 1024:.1f} MiB"
    )
    if synapse_loop:
        per_registration_ms = 1000 * synapse_loop["wall_s"] / synapse_loop["calls"]
        client_us = 1e6 * synapse_loop["cpu_s"] / synapse_loop["calls"]
        print(
            f"Real Synapse ({synapse_note} {synapse}): {synapse_loop['calls']:.0f} registrations "
            f"(POST /register, then m.login.dummy: 2 requests each): {per_registration_ms:.1f} ms each, "
            f"of which client CPU {client_us:.0f} µs ({100 * client_us / 1000 / per_registration_ms:.2f} %): "
            f"the server's share is the rest."
        )
    else:
        print(f"Real Synapse: not available: {synapse_note}")
    print()
    probe_delays = latency_rows(args)
    print()
    print("Targets (ratios from this run):")
    for target in targets(rows, args.threads, so_bytes, example_rss, probe_delays):
        print(target.line())
    return 0


def latency_rows(args: argparse.Namespace) -> float | None:
    """Print the latency table; the probe's wall time in delays (on the open
    server), or None when the rig is not running."""
    latency = Latency(Path(args.lib), Path(args.peers), args.latency_delay_ms, args.latency_repeats)
    if latency.missing:
        print(f"Latency: not available: rig variants not running: {', '.join(latency.missing)}")
        return None
    try:
        results = latency.run()
    except LatencyError as err:
        raise BenchError(f"latency: {err}") from err
    print(
        f"Latency ({args.latency_repeats} runs per flow, medians): each flow once per process, through "
        f"bench/delay_proxy.py in front of the rig's Synapse and OAuth server."
    )
    print_latency_table(results, latency.delay_s)
    probe = next(m for flow, name, m in results if flow.mxreg == "probe" and name == "mxreg")
    return statistics.median(probe.wall_s) / latency.delay_s if not isinstance(probe, str) else None


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BenchError as err:
        print(f"bench: {err}", file=sys.stderr)
        sys.exit(1)
