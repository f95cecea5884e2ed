"""An ``mlflow server`` process on 127.0.0.1 that proxies artifacts, started directly or through ``mlflow/serve.sh``:
start, stop, restart in place."""

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
SERVE_SCRIPT = Path(__file__).resolve().parents[2] / "mlflow" / "serve.sh"


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

    def command(self) -> tuple[list[str], dict[str, str]]:
        """The command line and environment that start the server."""
        command = [
            str(MLFLOW), "server", "--host", "127.0.0.1", "--port", str(self.port), "--workers", str(self.workers),
            "--backend-store-uri", self.backend, "--serve-artifacts", "--artifacts-destination", str(self.artifacts),
        ]
        return command, {**os.environ, **({} if self.backend.startswith("sqlite") else pool_env())}

    def start(self, timeout: float = 300) -> MlflowServer:
        command, env = self.command()
        out = open(self.log, "ab") if self.log else subprocess.DEVNULL
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


class ServeScript(MlflowServer):
    """The same server started by ``mlflow/serve.sh`` on 127.0.0.1, its settings in ``env`` on top of this
    process's environment (e.g. the authentication of docs/security.md)."""

    def __init__(self, backend: str, artifacts: Path, env: dict[str, str], workers: int = 2, log: Path | None = None):
        super().__init__(backend, artifacts, workers, log)
        self.env = env

    def command(self) -> tuple[list[str], dict[str, str]]:
        settings = {
            "MLFLOW_BIN": str(MLFLOW), "MLFLOW_HOST": "127.0.0.1", "MLFLOW_PORT": str(self.port),
            "MLFLOW_WORKERS": str(self.workers), "MLFLOW_BACKEND_STORE_URI": self.backend,
            "MLFLOW_ARTIFACTS_DESTINATION": str(self.artifacts),
        }
        return ["bash", str(SERVE_SCRIPT)], {**os.environ, **settings, **self.env}
