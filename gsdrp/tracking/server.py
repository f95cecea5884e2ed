"""An ``mlflow server`` process on 127.0.0.1 that proxies artifacts: start, stop, restart in place."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

MLFLOW = Path(sys.executable).parent / "mlflow"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def pool_env(connections: int = 40) -> dict[str, str]:
    """MLflow's SQLAlchemy pool per server worker. Its default (5 + 10 overflow) runs dry once a few dozen
    requests wait at once (each worker serves up to 40): requests time out after 30 s with "QueuePool limit
    reached" and their points are lost. ``connections`` + as many overflow covers a worker's threads."""
    return {"MLFLOW_SQLALCHEMYSTORE_POOL_SIZE": str(connections), "MLFLOW_SQLALCHEMYSTORE_MAX_OVERFLOW": str(connections)}


class MlflowServer:
    """``mlflow server --host 127.0.0.1`` on ``backend`` (a sqlite or PostgreSQL URI), artifacts under ``artifacts``;
    on a database server, with a connection pool sized by ``pool_env``."""

    def __init__(self, backend: str, artifacts: Path, workers: int = 2, log: Path | None = None):
        self.backend, self.artifacts, self.workers = backend, artifacts, workers
        self.port = free_port()
        self.log = log
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def healthy(self) -> bool:
        try:
            return urllib.request.urlopen(f"{self.url}/health", timeout=2).status == 200
        except OSError:
            return False

    def start(self, timeout: float = 300) -> MlflowServer:
        command = [
            str(MLFLOW), "server", "--host", "127.0.0.1", "--port", str(self.port), "--workers", str(self.workers),
            "--backend-store-uri", self.backend, "--serve-artifacts", "--artifacts-destination", str(self.artifacts),
        ]
        out = open(self.log, "ab") if self.log else subprocess.DEVNULL
        env = {**os.environ, **({} if self.backend.startswith("sqlite") else pool_env())}
        self.process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, start_new_session=True, env=env)
        if self.log:
            out.close()
        deadline = time.monotonic() + timeout
        while not self.healthy():
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                tail = self.log.read_text()[-1500:] if self.log else ""
                raise RuntimeError(f"mlflow server on {self.backend.split('@')[-1]} did not come up: {tail}")
            time.sleep(0.5)
        return self

    def stop(self) -> None:
        """End the server's process group (its workers included)."""
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()

    def restart(self) -> float:
        """Stop and start again on the same port; return the seconds it was down."""
        began = time.monotonic()
        self.stop()
        self.start()
        return time.monotonic() - began

    def __enter__(self) -> MlflowServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
