"""The MLflow run of one Tune trial, shared by every trainable.

The run nests under the sweep's parent run and is found again by trial id when the trial is
retried or the sweep resumed. A trial that raises ends its run FAILED with the reason as a tag and
the traceback as an artifact; one stopped by the scheduler (``SystemExit`` inside ``tune.report``)
is closed by the runner's callback instead.
"""

from __future__ import annotations

import traceback
from collections.abc import Iterator
from contextlib import contextmanager

import mlflow
import ray
from ray import tune

from gsdrp.tracking.store import KIND, NODE, OUTCOME, REASON, TRIAL_ID, find_trial_run, source_tags, use_tracking


@contextmanager
def trial_run(sweep: dict[str, str]) -> Iterator[bool]:
    """Start (or reopen) the trial's run; yield whether it is new, so params are logged once.

    ``sweep`` holds the sweep's MLflow ``tracking_uri``, ``experiment_id``, ``parent_run_id`` and
    ``source``. The URI travels with the trial, not in the environment: worker nodes of a running
    cluster do not inherit the driver's environment variables.
    """
    context = tune.get_context()
    client = use_tracking(sweep["tracking_uri"])
    existing = find_trial_run(client, sweep["experiment_id"], sweep["parent_run_id"], context.get_trial_id())
    mlflow.start_run(
        run_id=existing.info.run_id if existing else None,
        experiment_id=sweep["experiment_id"],
        run_name=context.get_trial_name(),
        parent_run_id=sweep["parent_run_id"],
        tags={
            KIND: "trial", TRIAL_ID: context.get_trial_id(), NODE: ray.get_runtime_context().get_node_id(),
            **source_tags(sweep["source"]),
        },
    )
    try:
        yield existing is None
        mlflow.set_tag(OUTCOME, "completed")
        mlflow.end_run("FINISHED")
    except BaseException as exc:
        if not isinstance(exc, SystemExit):
            mlflow.set_tag(REASON, f"{type(exc).__name__}: {exc}"[:4000])
            mlflow.log_text(traceback.format_exc(), "failure.txt")
            mlflow.end_run("FAILED")
        raise
