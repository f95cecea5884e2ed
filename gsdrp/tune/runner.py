"""Run a sweep: Ray Tune (HyperOpt + ASHA, or a grid) over the shared trainable, one MLflow parent run.

``run_sweep(space, options)`` is all a script in ``sweeps/`` calls. With ``options.resume`` the sweep
continues from ``<storage>/<name>`` (``Tuner.restore``): finished trials are kept, not rerun, and
reuse their MLflow runs; the parent run id is kept in ``<storage>/<name>/gsdrp_sweep.json``.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

import ray
from mlflow.entities import Param
from ray import tune
from ray.tune.schedulers import ASHAScheduler
from ray.tune.search import ConcurrencyLimiter
from ray.tune.search.hyperopt import HyperOptSearch
from ray.tune.search.sample import Categorical, Domain

from gsdrp.config import DataConfig, to_flat_dict
from gsdrp.data.dataset import load_dataset
from gsdrp.data.prepare import DEFAULT_OUT
from gsdrp.tracking.baselines import naive_validation
from gsdrp.tracking.store import (
    KIND, OUTCOME, REASON, experiment_id, find_trial_run, source_tags, tracking_uri, use_tracking,
)
from gsdrp.tracking.summary import log_summary
from gsdrp.tune.local_ray import start_local_ray
from gsdrp.tune.trainable import train_trial

METRIC, MODE = "val_rmse", "min"


@dataclass(frozen=True)
class SweepOptions:
    name: str
    num_samples: int = 8
    max_concurrent: int = 2
    cpus_per_trial: float = 1.0
    gpus_per_trial: float = 0.0
    storage: str = "ray_results"
    split: str = "random"
    max_epochs: int = 20
    grace_period: int = 2
    max_failures: int = 1
    search: str = "hyperopt"  # "hyperopt" (with ASHA) or "grid" (every combination, no early stopping)
    resume: bool = False
    seed: int = 0
    data: DataConfig = DataConfig()
    prepared: str = str(DEFAULT_OUT)
    raw: str | None = None  # raw data folder, read only if the prepared cache is missing
    fixed: tuple[tuple[str, Any], ...] = ()  # (key, value) pins that replace dimensions of the space


class CloseTrialRuns(tune.Callback):
    """Close the MLflow run of a trial that the scheduler stopped early or that failed for good."""

    def __init__(self, sweep: dict[str, str]):
        self.sweep = sweep

    def _run(self, trial):
        client = use_tracking(self.sweep["tracking_uri"])
        return find_trial_run(client, self.sweep["experiment_id"], self.sweep["parent_run_id"], trial.trial_id)

    def on_trial_complete(self, iteration, trials, trial, **info):
        run = self._run(trial)
        if run is not None and run.info.status == "RUNNING":
            client = use_tracking(self.sweep["tracking_uri"])
            client.set_tag(run.info.run_id, OUTCOME, "stopped_early_by_scheduler")
            client.set_terminated(run.info.run_id, "FINISHED")

    def on_trial_error(self, iteration, trials, trial, **info):
        run = self._run(trial)
        if run is None:
            return
        client = use_tracking(self.sweep["tracking_uri"])
        error = trial.get_error()
        client.set_tag(run.info.run_id, OUTCOME, "failed")
        if REASON not in run.data.tags:
            client.set_tag(run.info.run_id, REASON, str(error)[-4000:] if error else "trial failed")
        client.set_terminated(run.info.run_id, "FAILED")


def _collections(space: dict[str, Any]) -> list[str]:
    domain = space.get("train.collection", "hallmark")
    if isinstance(domain, str):
        return [domain]
    if isinstance(domain, dict) and "grid_search" in domain:
        return list(domain["grid_search"])
    return list(domain.categories)


def _parent_run(options: SweepOptions, experiment_dir: Path, space: dict) -> dict[str, str]:
    state_file = experiment_dir / "gsdrp_sweep.json"
    if options.resume and state_file.is_file():
        return json.loads(state_file.read_text())
    client = use_tracking()
    experiment = experiment_id(client, options.name)
    parent = client.create_run(experiment, run_name=f"sweep-{options.name}", tags={KIND: "sweep", **source_tags(sys.argv[0])})
    params = {f"sweep.{f.name}": getattr(options, f.name) for f in fields(options) if f.name != "data"}
    params.update(to_flat_dict(options.data, "data."))
    client.log_batch(parent.info.run_id, params=[Param(key, str(value)) for key, value in params.items()])
    client.log_text(parent.info.run_id, json.dumps({k: str(v) for k, v in space.items()}, indent=1), "search_space.json")
    state = {
        "experiment_id": experiment, "parent_run_id": parent.info.run_id, "tracking_uri": tracking_uri(),
        "source": sys.argv[0],
    }
    experiment_dir.mkdir(parents=True, exist_ok=True)
    state_file.write_text(json.dumps(state))
    return state


def _init_ray() -> None:
    if ray.is_initialized():
        return
    if os.environ.get("RAY_ADDRESS"):  # inside `ray job submit`, or a cluster named by the user
        ray.init(log_to_driver=False)
    else:
        start_local_ray()


def run_sweep(
    space: dict[str, Any], options: SweepOptions, points_to_evaluate: list[dict[str, Any]] | None = None,
    trainable: Callable = train_trial,
) -> tune.ResultGrid:
    """Run (or resume) a sweep; return Tune's results. Trials' MLflow runs nest under one parent.
    ``points_to_evaluate`` are HyperOpt's first trials (values of the searched dimensions); a point
    that the ``--fix`` pins exclude is skipped. ``trainable`` is ``train_trial``
    (GS-ChemDRP) or ``train_baseline_trial`` (the tuned baselines)."""
    space = {**space, **dict(options.fixed)}
    points = [fitted for point in points_to_evaluate or [] if (fitted := _within(point, space)) is not None]
    storage = Path(options.storage).resolve()
    experiment_dir = storage / options.name
    sweep = _parent_run(options, experiment_dir, space)
    _init_ray()
    datasets = {
        name: load_dataset(options.data, options.split, name, out=options.prepared, raw=options.raw)
        for name in _collections(space)
    }
    trainable = tune.with_resources(
        tune.with_parameters(trainable, datasets=datasets, sweep=sweep),
        {"cpu": options.cpus_per_trial, "gpu": options.gpus_per_trial},
    )
    if options.resume and tune.Tuner.can_restore(str(experiment_dir)):
        tuner = tune.Tuner.restore(str(experiment_dir), trainable=trainable, resume_unfinished=True, resume_errored=False)
    else:
        tuner = tune.Tuner(
            trainable,
            param_space={**space, "train.split": options.split, "train.max_epochs": options.max_epochs},
            tune_config=_tune_config(options, points),
            run_config=tune.RunConfig(
                name=options.name,
                storage_path=str(storage),
                failure_config=tune.FailureConfig(max_failures=options.max_failures),
                checkpoint_config=tune.CheckpointConfig(num_to_keep=1),
                callbacks=[CloseTrialRuns(sweep)],
                verbose=1,
            ),
        )
    results = tuner.fit()
    baselines = naive_validation(next(iter(datasets.values())))
    print(log_summary(use_tracking(sweep["tracking_uri"]), sweep, space, baselines))
    _summarise(results, sweep)
    return results


def _within(point: dict[str, Any], space: dict[str, Any]) -> dict[str, Any] | None:
    """``point`` restricted to the dimensions ``space`` still searches; None (the point is skipped)
    if ``--fix`` pinned a dimension to values that exclude the point's."""
    fitted = {}
    for key, value in point.items():
        domain = space.get(key)
        if isinstance(domain, Categorical) and value not in domain.categories:
            print(f"the start point is skipped: {key}={value!r} is outside the pinned values {domain.categories}")
            return None
        if isinstance(domain, Domain):
            fitted[key] = value
        elif domain != value:
            print(f"the start point is skipped: {key}={value!r}, but the sweep pins {domain!r}")
            return None
    return fitted


def _tune_config(options: SweepOptions, points: list[dict[str, Any]]) -> tune.TuneConfig:
    if options.search == "grid":
        return tune.TuneConfig(metric=METRIC, mode=MODE, num_samples=options.num_samples, max_concurrent_trials=options.max_concurrent)
    search = ConcurrencyLimiter(HyperOptSearch(points_to_evaluate=points or None, random_state_seed=options.seed, n_initial_points=4), options.max_concurrent)
    # max_t above max_epochs: a trial that trains to its end is never stopped by the scheduler at its
    # last report, so it returns normally and logs its final metrics, artifacts and model. A sweep shorter
    # than the grace period is never cut.
    grace = min(options.grace_period, options.max_epochs + 1)
    scheduler = ASHAScheduler(max_t=options.max_epochs + 1, grace_period=grace, reduction_factor=2)
    return tune.TuneConfig(metric=METRIC, mode=MODE, search_alg=search, scheduler=scheduler, num_samples=options.num_samples)


def _close_lost_trials(client, sweep: dict[str, str]) -> None:
    """Close trial runs still RUNNING once every trial has ended: trials whose driver was killed
    before Tune recorded them. A resumed sweep cannot continue them and runs new trials instead."""
    lost = client.search_runs(
        [sweep["experiment_id"]],
        filter_string=f"tags.`mlflow.parentRunId` = '{sweep['parent_run_id']}' and attributes.status = 'RUNNING'",
    )
    for run in lost:
        client.set_tag(run.info.run_id, OUTCOME, "lost_with_driver")
        client.set_tag(run.info.run_id, REASON, "the sweep driver died while this trial ran, before Tune recorded it")
        client.set_terminated(run.info.run_id, "KILLED")


def _summarise(results: tune.ResultGrid, sweep: dict[str, str]) -> None:
    client = use_tracking(sweep["tracking_uri"])
    parent = sweep["parent_run_id"]
    finished = [r for r in results if r.error is None and r.metrics and METRIC in r.metrics]
    client.log_metric(parent, "trials_finished", len(finished))
    client.log_metric(parent, "trials_failed", sum(r.error is not None for r in results))
    _close_lost_trials(client, sweep)
    if finished:
        best = min(finished, key=lambda r: r.metrics[METRIC])
        client.log_metric(parent, f"best_{METRIC}", best.metrics[METRIC])
        client.set_tag(parent, "best_trial_id", best.metrics.get("trial_id", ""))
        print(f"best trial {best.metrics.get('trial_id')}: {METRIC} {best.metrics[METRIC]:.4f} ({best.path})")
    client.set_terminated(parent, "FINISHED")
    uri = sweep["tracking_uri"]
    print(f"MLflow experiment id {sweep['experiment_id']}, parent run {parent}.\nLook: mlflow ui --backend-store-uri {uri} --host 127.0.0.1")
