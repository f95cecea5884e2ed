"""Ray nodes started by tests: each ``ray start --block`` runs in a session of its own, so a node is
ended through its own processes (SIGTERM to ``ray start``, which stops what it started; then the
session), and a node can be killed whole to simulate losing it."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from gsdrp.tracking.server import free_port
from gsdrp.tune.local_ray import SINGLE_MACHINE

from .processes import end_session, in_session

RAY = Path(sys.executable).parent / "ray"
STARTED = "Ray runtime started."


def accepts(host: str, port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(1)
        return sock.connect_ex((host, port)) == 0


class RayNode:
    """One node; every port it serves is a free one, so it never collides with another Ray instance here.
    Ready when ``ray start`` says so and its dashboard agent (which the job API needs) listens."""

    def __init__(self, ip: str, args: list[str], env: dict[str, str], log: Path):
        self.log, self.ip = log, ip
        self.agent_port = free_port()
        args = [*args, f"--dashboard-agent-listen-port={self.agent_port}", f"--metrics-export-port={free_port()}"]
        with open(log, "wb") as out:
            self.process = subprocess.Popen(
                [str(RAY), "start", "--block", f"--node-ip-address={ip}", "--disable-usage-stats", *args],
                env={**env, "PYTHONUNBUFFERED": "1"}, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
            )

    def wait_started(self, timeout: float = 180) -> None:
        deadline = time.monotonic() + timeout
        while STARTED not in self.log.read_text(errors="replace") or not accepts(self.ip, self.agent_port):
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.kill()
                raise RuntimeError(f"ray start failed: {self.log.read_text(errors='replace')[-2000:]}")
            time.sleep(0.5)

    def processes(self):
        return in_session(self.process.pid)

    def stop(self) -> None:
        """SIGTERM to ``ray start --block`` stops the node's processes; anything left is killed."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                pass
        end_session(self.process.pid)

    def kill(self) -> None:
        """Lose the node: SIGKILL to all its processes at once."""
        end_session(self.process.pid)
        self.process.wait()


class RayCluster:
    """A head plus optional workers on this machine, token authentication on. A head alone is
    started as the local instance is (loopback only); workers need Ray's multi-node mode, where Ray
    rewrites 127.0.0.1 to the machine's outward address, which a sandboxed machine may not reach. So
    there each node takes a loopback address of its own, from 127.0.0.2 up, which Ray leaves as given."""

    def __init__(self, head_cpus: int, worker_cpus: list[int]):
        self.ips = [f"127.0.0.{i + 2}" for i in range(1 + len(worker_cpus))] if worker_cpus else ["127.0.0.1"]
        self.port, self.dashboard_port = free_port(), free_port()
        self.temp_dir = Path(tempfile.mkdtemp(prefix="ray-"))  # short: Ray's socket paths live under it
        self.env = {**os.environ, "RAY_AUTH_MODE": "token", **({} if worker_cpus else SINGLE_MACHINE)}
        self.env.pop("RAY_ADDRESS", None)
        self.nodes: list[RayNode] = []
        self.client_port = free_port()
        self._start(
            "head", self.ips[0], "--head", f"--port={self.port}", "--dashboard-host=127.0.0.1", f"--dashboard-port={self.dashboard_port}",
            f"--ray-client-server-port={self.client_port}", f"--num-cpus={head_cpus}", f"--temp-dir={self.temp_dir}",
            env={"AUTOSCALER_METRIC_PORT": str(free_port()), "DASHBOARD_METRIC_PORT": str(free_port())},
        )
        for i, cpus in enumerate(worker_cpus):
            self._start(f"worker{i}", self.ips[i + 1], f"--address={self.address}", f"--num-cpus={cpus}")

    def _start(self, name: str, ip: str, *args: str, env: dict[str, str] | None = None, attempts: int = 2) -> None:
        """Start a node; once more if Ray gave up on it (its raylet must register within 30 s, which an
        overloaded machine can miss)."""
        log = self.temp_dir.with_name(f"{self.temp_dir.name}-{name}.log")
        for attempt in range(1, attempts + 1):
            node = RayNode(ip, list(args), {**self.env, **(env or {})}, log)
            try:
                node.wait_started()
                self.nodes.append(node)
                return
            except RuntimeError:
                if attempt == attempts:
                    self.stop()
                    raise

    @property
    def head(self) -> RayNode:
        return self.nodes[0]

    @property
    def workers(self) -> list[RayNode]:
        return self.nodes[1:]

    @property
    def address(self) -> str:
        return f"{self.ips[0]}:{self.port}"

    @property
    def dashboard(self) -> str:
        return f"http://127.0.0.1:{self.dashboard_port}"

    def stop(self) -> None:
        for node in reversed(self.nodes):  # workers first
            node.stop()
        for log in self.temp_dir.parent.glob(f"{self.temp_dir.name}-*.log"):
            log.unlink()
        shutil.rmtree(self.temp_dir, ignore_errors=True)
