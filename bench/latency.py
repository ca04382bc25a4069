"""The latency rows of the benchmark: each sign-up flow, by mxreg and by the
peers that offer it, through the delaying proxy (bench/delay_proxy.py) in
front of the rig's real servers (scripts/homeserver.py: Synapse variants and
the OAuth server). On a slow link a flow costs round trips: the table gives
the wall time, the wall time in delays, and the requests and connections the
proxy counted, with each peer's time as a ratio of mxreg's in the same run.

Every flow runs in a new process; only the flow is timed (the library is
loaded and the client made before). Accounts get random names.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import urllib.parse
import urllib.request
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from delay_proxy import DelayProxy

ROOT = Path(__file__).resolve().parent.parent
PEERS = ROOT / "bench" / "peers"
RIG = ROOT / "scripts" / "homeserver.py"
VARIANTS = ("open", "token", "terms", "oauth")


class LatencyError(Exception):
    """A flow failed, or the rig did not give what a flow needs."""


def rig_env() -> dict[str, str]:
    """The running rig's MXREG_HS_* variables (`homeserver.py env`)."""
    done = subprocess.run([sys.executable, str(RIG), "env"], capture_output=True, text=True)
    found = {}
    for line in done.stdout.splitlines():
        key, _, value = line.partition("=")
        found[key] = value.strip().strip("'\"")
    return found


@dataclass
class Flow:
    label: str
    variant: str
    mxreg: str
    nio: str | None = None
    jssdk: str | None = None


FLOWS = [
    Flow("probe (open server)", "open", "probe", nio="discovery", jssdk="discovery"),
    Flow("probe (OAuth server)", "oauth", "probe", jssdk="discovery"),
    Flow("registration, open server (dummy stage)", "open", "register", nio="register", jssdk="register"),
    Flow("registration token flow", "token", "token", nio="token"),
    Flow("terms flow", "terms", "terms"),
    Flow("OAuth discovery + client registration + authorization URL", "oauth", "oauth", jssdk="oauth"),
    Flow("refresh", "open", "refresh"),
]

PEER_NOTES = [
    "mxreg probe: its floor here is 3 delays: the first connection, .well-known, then everything else at once "
    "on connections opened during .well-known",
    "discovery: .well-known + GET /login (nio); versions + GET /login + auth_metadata (js-sdk)",
    "js-sdk oauth: auth_metadata + client registration; its authorization URL needs a browser (no I/O either way)",
]


@dataclass
class Measured:
    wall_s: list[float] = field(default_factory=list)
    requests: int = 0
    connections: int = 0


class Latency:
    def __init__(self, lib: Path, peers: Path, delay_ms: float, repeats: int) -> None:
        self.env = rig_env()
        self.lib = lib
        self.peers = peers
        self.delay_s = delay_ms / 1000
        self.repeats = repeats
        self.missing = [v for v in VARIANTS if f"MXREG_HS_{v.upper()}" not in self.env]

    def url(self, variant: str) -> str:
        return self.env[f"MXREG_HS_{variant.upper()}"]

    def clients(self) -> dict[str, list[str] | None]:
        nio_python = self.peers / "venv" / "bin" / "python"
        sdk = self.peers / "node" / "node_modules" / "matrix-js-sdk"
        return {
            "mxreg": [sys.executable, str(PEERS / "mxreg_flows.py")],
            "matrix-nio": [str(nio_python), str(PEERS / "nio_flows.py")] if nio_python.exists() else None,
            "matrix-js-sdk": ["node", str(PEERS / "jssdk_flows.mjs"), str(sdk)] if (sdk / "package.json").exists() else None,
        }

    def oauth_origin(self) -> str:
        """The OAuth server's origin, from the oauth Synapse's auth metadata."""
        with urllib.request.urlopen(f"{self.url('oauth')}/_matrix/client/v1/auth_metadata", timeout=10) as answer:
            issuer = json.loads(answer.read())["issuer"]
        parts = urllib.parse.urlsplit(issuer)
        return f"{parts.scheme}://{parts.netloc}"

    def argument(self, flow: Flow) -> str | None:
        """What a flow needs that must not be timed: a fresh registration
        token, a refresh token."""
        if flow.mxreg == "token":
            done = subprocess.run(
                [sys.executable, str(RIG), "token-create", "token"], capture_output=True, text=True, check=True
            )
            return done.stdout.strip().splitlines()[-1]
        if flow.mxreg == "refresh":
            return register_for_refresh_token(self.url("open"))
        return None

    def run(self) -> list[tuple[Flow, str, Measured | str]]:
        if self.missing:
            raise LatencyError(f"rig variants not running: {', '.join(self.missing)}")
        upstreams = [self.url(v) for v in VARIANTS] + [self.oauth_origin()]
        proxy = DelayProxy(upstreams, self.delay_s)
        results: list[tuple[Flow, str, Measured | str]] = []
        try:
            for flow in FLOWS:
                for name, command in self.clients().items():
                    peer_flow = {"mxreg": flow.mxreg, "matrix-nio": flow.nio, "matrix-js-sdk": flow.jssdk}[name]
                    if peer_flow is None:
                        continue
                    if command is None:
                        results.append((flow, name, "not installed"))
                        continue
                    measured = Measured()
                    for _ in range(self.repeats):
                        argument = self.argument(flow)
                        proxy.reset()
                        measured.wall_s.append(self.once(command, name, peer_flow, proxy.url(self.url(flow.variant)), argument))
                        counts = proxy.counts()
                        measured.requests, measured.connections = counts.requests, counts.connections
                    results.append((flow, name, measured))
        finally:
            proxy.close()
        return results

    def once(self, command: list[str], name: str, flow: str, url: str, argument: str | None) -> float:
        env = {
            **os.environ,
            "PYTHONPATH": str(ROOT / "bindings" / "python" / "src"),
            "MXREG_LIBRARY": str(self.lib.resolve()),
        }
        argv = [*command, flow, url] + ([argument] if argument else [])
        done = subprocess.run(argv, capture_output=True, text=True, timeout=120, env=env)
        lines = done.stdout.strip().splitlines()
        if done.returncode != 0 or not lines:
            raise LatencyError(f"{name} {flow}: exit {done.returncode}: {done.stderr.strip()[-600:]}")
        return json.loads(lines[-1])["wall_s"]


def register_for_refresh_token(url: str) -> str:
    """An account on the open server, straight (not through the proxy), for
    its refresh token: the UIA session, then the dummy stage."""
    body = {
        "username": f"lat{uuid.uuid4().hex[:12]}",
        "password": "bench-Passw0rd-latency",
        "refresh_token": True,
    }

    def post(payload: dict) -> tuple[int, dict]:
        request = urllib.request.Request(
            f"{url}/_matrix/client/v3/register",
            data=json.dumps(payload).encode(),
            headers={"Content-Type": "application/json"},
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as answer:
                return answer.status, json.loads(answer.read())
        except urllib.error.HTTPError as err:
            return err.code, json.loads(err.read() or b"{}")

    status, answer = post(body)
    if status == 401:
        status, answer = post({**body, "auth": {"type": "m.login.dummy", "session": answer["session"]}})
    if status != 200 or "refresh_token" not in answer:
        raise LatencyError(f"registering for a refresh token: {status} {answer}")
    return answer["refresh_token"]


def print_table(results: list[tuple[Flow, str, Measured | str]], delay_s: float) -> None:
    print(f"| flow (delay {delay_s * 1000:g} ms per answer and per new connection) | client | wall ms | in delays | requests | connections | vs mxreg |")
    print("|---|---|--:|--:|--:|--:|--:|")
    baseline: dict[str, float] = {}
    for flow, name, measured in results:
        if isinstance(measured, str):
            print(f"| {flow.label} | {name} | not available: {measured} | | | | |")
            continue
        wall = statistics.median(measured.wall_s)
        if name == "mxreg":
            baseline[flow.label] = wall
        base = baseline.get(flow.label)
        versus = f"{wall / base:.2f}×" if base else "—"
        note = f" ({flow.nio if name == 'matrix-nio' else flow.jssdk})" if name != "mxreg" else ""
        print(
            f"| {flow.label} | {name}{note} | {wall * 1000:.0f} | {wall / delay_s:.1f} "
            f"| {measured.requests} | {measured.connections} | {versus} |"
        )
    for note in PEER_NOTES:
        print(f"  {note}")
