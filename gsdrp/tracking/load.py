"""Drive a tracking server as a sweep does: N concurrent trial loggers, then count what arrived.

Each logger creates a run nested under one parent, logs params, one batch of ``metrics`` values per
epoch for ``epochs`` epochs, and one artifact, then closes its run: what a trial sends. Requests
that fail are retried by MLflow's client (``MLFLOW_HTTP_REQUEST_MAX_RETRIES``, with backoff); a
request that still fails is an error, and ``verify`` counts every point and artifact that is missing.
"""

from __future__ import annotations

import hashlib
import logging
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from mlflow import MlflowClient
from mlflow.entities import Metric, Param
from mlflow.exceptions import MlflowException

ARTIFACT = "epoch_table.csv"


@dataclass(frozen=True)
class Load:
    loggers: int = 16
    epochs: int = 20
    metrics: int = 8
    pause: float = 0.0  # seconds between a logger's epochs
    artifact_kb: int = 64

    @property
    def points(self) -> int:
        return self.loggers * self.epochs * self.metrics


@dataclass
class LoadResult:
    load: Load
    seconds: float
    runs: int = 0
    points: int = 0
    artifacts: int = 0
    retries: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def lost_points(self) -> int:
        return self.load.points - self.points

    @property
    def points_per_second(self) -> float:
        return self.points / self.seconds if self.seconds else 0.0


class _RetryCounter(logging.Handler):
    """Counts the retries of MLflow's client: urllib3 logs each one ("Incremented Retry ...") at debug level."""

    logger = logging.getLogger("urllib3.util.retry")

    def __init__(self):
        super().__init__(logging.DEBUG)
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        self.count += record.getMessage().startswith("Incremented Retry")

    def __enter__(self) -> _RetryCounter:
        self.level_before = self.logger.level
        self.logger.setLevel(logging.DEBUG)
        self.logger.addHandler(self)
        return self

    def __exit__(self, *exc) -> None:
        self.logger.removeHandler(self)
        self.logger.setLevel(self.level_before)


def _artifact_bytes(index: int, kilobytes: int) -> bytes:
    row = hashlib.sha256(str(index).encode()).hexdigest().encode() + b"\n"
    return (row * (kilobytes * 1024 // len(row) + 1))[: kilobytes * 1024]


def _trial(client: MlflowClient, experiment: str, parent: str, index: int, load: Load, folder: Path) -> list[str]:
    """One trial's traffic; returns the errors it met (requests that failed after every retry)."""
    errors = []
    run = client.create_run(experiment, run_name=f"logger-{index}", tags={"mlflow.parentRunId": parent, "load.index": str(index)})
    run_id = run.info.run_id
    client.log_batch(run_id, params=[Param(f"param_{i}", str(i * index)) for i in range(10)])
    for epoch in range(1, load.epochs + 1):
        now = int(time.time() * 1000)
        batch = [Metric(f"metric_{m}", index + epoch / (m + 1), now, epoch) for m in range(load.metrics)]
        try:
            client.log_batch(run_id, metrics=batch)
        except Exception as exc:  # counted, and the trial goes on as a real one would not
            errors.append(f"logger {index} epoch {epoch}: {type(exc).__name__}: {str(exc)[:200]}")
        time.sleep(load.pause)
    path = folder / f"logger-{index}" / ARTIFACT
    path.parent.mkdir()
    path.write_bytes(_artifact_bytes(index, load.artifact_kb))
    client.log_artifact(run_id, str(path))
    client.set_terminated(run_id, "FINISHED")
    return errors


def run_load(url: str, load: Load, experiment: str = "tracking-load", during: Callable[[], object] | None = None,
             during_after: float = 0.0) -> tuple[LoadResult, str]:
    """Run ``load`` against the server at ``url``; ``during()`` runs ``during_after`` seconds in (e.g. a
    restart). Returns the result (not yet verified) and the parent run id."""
    client = MlflowClient(url)
    experiment_id = client.create_experiment(f"{experiment}-{time.time_ns()}")
    parent = client.create_run(experiment_id, run_name="load").info.run_id
    side = threading.Timer(during_after, during) if during else None
    errors: list[str] = []
    began = time.monotonic()
    with _RetryCounter() as counter:
        with tempfile.TemporaryDirectory() as tmp, ThreadPoolExecutor(load.loggers) as pool:
            if side:
                side.start()
            futures = [pool.submit(_trial, client, experiment_id, parent, i, load, Path(tmp)) for i in range(load.loggers)]
            for number, future in enumerate(futures):
                try:
                    errors.extend(future.result())
                except Exception as exc:
                    errors.append(f"logger {number}: {type(exc).__name__}: {str(exc)[:200]}")
        if side:
            side.join()
    result = LoadResult(load, time.monotonic() - began, retries=counter.count, errors=errors)
    return result, parent


def verify(url: str, result: LoadResult, parent: str) -> LoadResult:
    """Count the runs, metric points (distinct steps per metric) and intact artifacts that arrived."""
    client = MlflowClient(url)
    experiment_id = client.get_run(parent).info.experiment_id
    runs = client.search_runs([experiment_id], filter_string=f"tags.`mlflow.parentRunId` = '{parent}'", max_results=1000)
    result.runs = sum(run.info.status == "FINISHED" for run in runs)
    result.points = result.artifacts = 0
    with tempfile.TemporaryDirectory() as tmp:
        for run in runs:
            index = int(run.data.tags["load.index"])
            for m in range(result.load.metrics):
                result.points += len({p.step for p in client.get_metric_history(run.info.run_id, f"metric_{m}")})
            try:
                local = Path(client.download_artifacts(run.info.run_id, ARTIFACT, tmp))
            except MlflowException:  # never arrived
                continue
            result.artifacts += local.read_bytes() == _artifact_bytes(index, result.load.artifact_kb)
    return result
