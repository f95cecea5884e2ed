"""Print how an MLflow tracking server holds up as a sweep's trials log to it: sqlite vs PostgreSQL.

For each backend and each number of concurrent loggers, a fresh ``mlflow server`` on 127.0.0.1
(``--workers 2``, artifacts proxied; PostgreSQL is a private instance started with initdb/pg_ctl)
takes the load of ``gsdrp.tracking.load``: each logger is one trial (a nested run, params, one batch
of metrics per epoch, one artifact). Then every run, point and artifact is counted on the server.
``--restart`` restarts the server once, 1.5 s into the load. ``--uri`` measures a server of your own.

    python benchmarks/tracking_load.py [--loggers 16 64] [--epochs 20] [--metrics 8] [--restart]
"""

from __future__ import annotations

import argparse
import os
import tempfile
from pathlib import Path

from gsdrp.tracking.load import Load, LoadResult, run_load, verify
from gsdrp.tracking.postgres import PrivatePostgres
from gsdrp.tracking.server import MlflowServer

HEADER = f"{'backend':<10} {'loggers':>7} {'runs':>9} {'points':>13} {'lost':>5} {'artifacts':>9} {'errors':>6} {'retries':>7} {'seconds':>7} {'points/s':>8}"


def row(backend: str, result: LoadResult) -> str:
    load = result.load
    line = (
        f"{backend:<10} {load.loggers:>7} {result.runs:>4}/{load.loggers:<4} {result.points:>6}/{load.points:<6} "
        f"{result.lost_points:>5} {result.artifacts:>4}/{load.loggers:<4} {len(result.errors):>6} {result.retries:>7} "
        f"{result.seconds:>7.1f} {result.points_per_second:>8.0f}"
    )
    return line + (f"\n    first error: {result.errors[0]}" if result.errors else "")


def measure(url: str, load: Load, restart=None) -> LoadResult:
    result, parent = run_load(url, load, during=restart, during_after=1.5)
    return verify(url, result, parent)


def on_backend(backend: str, load: Load, workers: int, restart: bool) -> LoadResult:
    with tempfile.TemporaryDirectory(prefix="gsdrp-load-") as tmp:
        folder = Path(tmp)
        postgres = PrivatePostgres().start() if backend == "postgresql" else None
        try:
            store = postgres.uri if postgres else f"sqlite:///{folder / 'mlflow.db'}"
            with MlflowServer(store, folder / "artifacts", workers=workers, log=folder / "server.log") as server:
                return measure(server.url, load, server.restart if restart else None)
        finally:
            if postgres:
                postgres.stop()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--loggers", type=int, nargs="+", default=[16, 64], help="concurrent trial loggers")
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--metrics", type=int, default=8, help="metrics per epoch")
    parser.add_argument("--pause", type=float, default=0.0, help="seconds between a logger's epochs (0: as fast as it can)")
    parser.add_argument("--workers", type=int, default=2, help="mlflow server worker processes")
    parser.add_argument("--backends", nargs="+", default=["sqlite", "postgresql"], choices=["sqlite", "postgresql"])
    parser.add_argument("--restart", action="store_true", help="restart the server once during the load")
    parser.add_argument("--uri", help="load this running tracking server instead (no restart)")
    args = parser.parse_args(argv)
    os.environ.setdefault("MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR", "false")
    os.environ.setdefault("MLFLOW_SUPPRESS_PRINTING_URL_TO_STDOUT", "true")
    print(HEADER, flush=True)
    for loggers in args.loggers:
        load = Load(loggers=loggers, epochs=args.epochs, metrics=args.metrics, pause=args.pause)
        if args.uri:
            print(row("given", measure(args.uri, load)), flush=True)
            continue
        for backend in args.backends:
            print(row(backend, on_backend(backend, load, args.workers, args.restart)), flush=True)


if __name__ == "__main__":
    main()
