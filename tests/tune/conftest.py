"""Real servers for the sweep tests, all on 127.0.0.1: Ray clusters, a private PostgreSQL and an
MLflow tracking server on it, and a bystander Ray instance that the tests must leave alone."""

from __future__ import annotations

import time

import pytest

from gsdrp.tracking.postgres import PrivatePostgres
from gsdrp.tracking.server import MlflowServer

from .ray_nodes import RayCluster


def wait_for(predicate, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(1.0)
    raise TimeoutError(f"timed out after {timeout:.0f} s waiting for {what}")


@pytest.fixture(scope="session")
def postgres():
    with PrivatePostgres() as server:
        yield server


@pytest.fixture(scope="session")
def pg_mlflow_server(postgres, tmp_path_factory):
    """``mlflow server`` on the private PostgreSQL, artifacts proxied; tests may restart it. One worker:
    with more, uvicorn restarts any worker that misses its 5 s health check, as on a starved machine."""
    folder = tmp_path_factory.mktemp("pg-mlflow")
    with MlflowServer(postgres.uri, folder / "artifacts", workers=1, log=folder / "server.log") as server:
        yield server


@pytest.fixture(scope="session")
def bystander():
    """A Ray instance started beside the suite, as a user's own would be; every test that starts Ray
    requests it first, and must not end it."""
    cluster = RayCluster(head_cpus=1, worker_cpus=[])
    cluster.pids = {p.pid for p in cluster.head.processes()}
    yield cluster
    cluster.stop()


@pytest.fixture()
def ray_cluster(bystander):
    """Start clusters with ``ray_cluster(head_cpus, worker_cpus)``; each is stopped through its own processes."""
    started = []

    def start(head_cpus: int, worker_cpus: list[int]) -> RayCluster:
        started.append(RayCluster(head_cpus, worker_cpus))
        return started[-1]

    yield start
    for cluster in started:
        cluster.stop()
