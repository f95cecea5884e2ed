"""Real servers for the sweep tests: an MLflow tracking server and Ray clusters, all on 127.0.0.1."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(predicate, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(1.0)
    raise TimeoutError(f"timed out after {timeout:.0f} s waiting for {what}")


def sweep_env(tracking_uri: str, **extra: str) -> dict[str, str]:
    env = {**os.environ, "MLFLOW_TRACKING_URI": tracking_uri, "RAY_AUTH_MODE": "token", **extra}
    env.pop("RAY_ADDRESS", None)
    return env


def smoke_command(storage: Path, prepared: Path, *args: str) -> list[str]:
    return [
        sys.executable, str(REPO / "sweeps" / "smoke.py"), "--storage", str(storage), "--prepared", str(prepared),
        "--max-epochs", "2", *args,
    ]


@pytest.fixture()
def mlflow_server(tmp_path):
    """``mlflow server`` on 127.0.0.1 with a sqlite store and server-side artifacts; yields its URL."""
    port = free_port()
    process = subprocess.Popen(
        [
            str(BIN / "mlflow"), "server", "--host", "127.0.0.1", "--port", str(port), "--workers", "1",
            "--backend-store-uri", f"sqlite:///{tmp_path / 'server.db'}",
            "--serve-artifacts", "--artifacts-destination", str(tmp_path / "server-artifacts"),
        ],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"

    def healthy() -> bool:
        try:
            return urllib.request.urlopen(f"{url}/health", timeout=2).status == 200
        except OSError:
            return False

    try:
        wait_for(healthy, 120, "the MLflow server")
        yield url
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)


class RayCluster:
    """``ray start --head`` plus optional ``ray start --address`` workers, token authentication on."""

    def __init__(self, head_cpus: int, worker_cpus: list[int]):
        self.port, self.dashboard_port = free_port(), free_port()
        self.env = {**os.environ, "RAY_AUTH_MODE": "token"}
        self.env.pop("RAY_ADDRESS", None)
        self._start(
            "--head", f"--port={self.port}", "--dashboard-host=127.0.0.1", f"--dashboard-port={self.dashboard_port}",
            f"--num-cpus={head_cpus}",
        )
        for cpus in worker_cpus:
            self._start(f"--address=127.0.0.1:{self.port}", f"--num-cpus={cpus}")

    def _start(self, *args: str) -> None:
        subprocess.run(
            [str(BIN / "ray"), "start", "--node-ip-address=127.0.0.1", "--disable-usage-stats", *args],
            env=self.env, check=True, capture_output=True, timeout=180,
        )

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def dashboard(self) -> str:
        return f"http://127.0.0.1:{self.dashboard_port}"

    def stop(self) -> None:
        subprocess.run([str(BIN / "ray"), "stop", "--force"], env=self.env, capture_output=True, timeout=120)
