"""A private PostgreSQL server in a folder of its own (``initdb`` + ``pg_ctl``) on 127.0.0.1, for MLflow.

Password authentication (scram-sha-256) on TCP; the Unix socket lives in the private data folder.
As root it runs as the ``postgres`` user, since PostgreSQL refuses to run as root.
"""

from __future__ import annotations

import glob
import os
import pwd
import secrets
import shutil
import subprocess
import tempfile
from pathlib import Path

from gsdrp.tracking.server import free_port

USER = "mlflow"
MAX_CONNECTIONS = 400  # two MLflow server workers with full pools (2 x 80), a restart's overlap, and spare


def postgres_bin() -> Path:
    """The folder holding ``initdb`` and ``pg_ctl`` (Debian keeps them out of PATH)."""
    found = shutil.which("initdb") or next(iter(sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), reverse=True)), None)
    if found is None:
        raise FileNotFoundError("PostgreSQL's initdb not found: install it (apt-get install postgresql)")
    return Path(found).resolve().parent


class PrivatePostgres:
    """Start with ``start()``, stop with ``stop()`` (which also deletes the data folder); ``uri`` for MLflow."""

    def __init__(self):
        self.bin = postgres_bin()
        self.port = free_port()
        self.password = secrets.token_hex(16)
        self.folder = Path(tempfile.mkdtemp(prefix="gsdrp-pg-"))
        self.data = self.folder / "data"
        self._owner = pwd.getpwnam("postgres") if os.geteuid() == 0 else None

    @property
    def uri(self) -> str:
        return f"postgresql://{USER}:{self.password}@127.0.0.1:{self.port}/mlflow"

    def _run(self, tool: str, *args: str) -> None:
        prefix = ["runuser", "-u", "postgres", "--"] if self._owner else []
        done = subprocess.run(
            [*prefix, str(self.bin / tool), *args], capture_output=True, text=True, timeout=120,
            env={**os.environ, "PGPASSWORD": self.password},
        )
        if done.returncode != 0:
            raise RuntimeError(f"{tool} failed: {(done.stderr or done.stdout).strip()[-500:]}")

    def start(self) -> PrivatePostgres:
        try:
            self._initialise_and_start()
        except BaseException:
            self.stop()
            raise
        return self

    def _initialise_and_start(self) -> None:
        password_file = self.folder / "password"
        password_file.write_text(self.password)
        if self._owner:
            for path in (self.folder, password_file):
                os.chown(path, self._owner.pw_uid, self._owner.pw_gid)
        self._run("initdb", "-D", str(self.data), "-U", USER, f"--pwfile={password_file}",
                  "--auth-host=scram-sha-256", "--auth-local=scram-sha-256", "--encoding=UTF8", "--no-instructions")
        password_file.unlink()
        options = (f"-c listen_addresses=127.0.0.1 -c port={self.port} -c unix_socket_directories={self.data} "
                   f"-c max_connections={MAX_CONNECTIONS}")
        self._run("pg_ctl", "-D", str(self.data), "-o", options, "-l", str(self.data / "server.log"), "-w", "start")
        self._run("createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", USER, "mlflow")

    def stop(self) -> None:
        if (self.data / "postmaster.pid").exists():
            self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")
        shutil.rmtree(self.folder, ignore_errors=True)

    def __enter__(self) -> PrivatePostgres:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
