"""Sweeps end to end on real Ray and real MLflow: local, ray job submit, tracking server, multi-node,
a failing trial, a killed-and-resumed driver; then promote and predict from the registry."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import mlflow
import pandas as pd
import pytest
from mlflow import MlflowClient

from gsdrp.config import DataConfig
from gsdrp.encoders.drug import DEFAULT_CACHE, models_dir
from gsdrp.explain.report import explain
from gsdrp.tracking.registry import ALIAS, MODEL_NAME, promote
from gsdrp.tracking.store import KIND, NODE, OUTCOME, REASON, TRIAL_ID
from tests.conftest import REPO, smoke_command, sweep_env

from .conftest import wait_for
from .processes import end_session, in_session
from .ray_nodes import RAY

pytestmark = pytest.mark.slow
TIMEOUT = 900


def runs_of(uri: str, experiment: str) -> tuple[list, list]:
    """(parent runs, trial runs) of an experiment."""
    client = MlflowClient(uri)
    found = client.get_experiment_by_name(experiment)
    runs = client.search_runs([found.experiment_id], max_results=1000) if found else []
    return [r for r in runs if r.data.tags.get(KIND) == "sweep"], [r for r in runs if r.data.tags.get(KIND) == "trial"]


def assert_tracked(uri: str, experiment: str, trials: int) -> list:
    """One parent run, ``trials`` nested runs with curves; completed ones carry artifacts and a model."""
    parents, children = runs_of(uri, experiment)
    assert len(parents) == 1
    assert len(children) == trials
    client = MlflowClient(uri)
    for run in children:
        assert run.data.tags["mlflow.parentRunId"] == parents[0].info.run_id
        assert run.info.run_name.startswith("train_trial_")
        assert len(client.get_metric_history(run.info.run_id, "val_rmse")) >= 1
        assert run.info.status in ("FINISHED", "FAILED")
    completed = [r for r in children if r.data.tags.get(OUTCOME) == "completed"]
    assert completed, "no trial ran to the end"
    for run in completed:
        names = {a.path for a in client.list_artifacts(run.info.run_id)}
        assert {"parity.png", "learning_curves.png", "test_predictions.parquet", "checkpoint.pt", "interpretation"} <= names
        inside = {a.path for a in client.list_artifacts(run.info.run_id, "interpretation")}
        assert {"interpretation/report.md", "interpretation/drug_set_attention.csv", "interpretation/top10"} <= inside
        assert "final_test_rmse" in run.data.metrics and "final_val_pcc" in run.data.metrics
    return children


def test_local_sweep_then_promote_and_predict(prepared_root, tmp_path, monkeypatch, bystander, finished_smoke_sweep):
    uri, _, printed = finished_smoke_sweep  # run beside the bystander when this test comes first
    assert "best trial" in printed and "mlflow ui --backend-store-uri" in printed
    children = assert_tracked(uri, "smoke", trials=2)

    monkeypatch.setenv("MLFLOW_TRACKING_URI", uri)
    first = promote("smoke")
    best = min((r for r in children if r.data.tags.get(OUTCOME) == "completed"), key=lambda r: r.data.metrics["final_val_rmse"])
    assert first.promoted and first.run_id == best.info.run_id
    assert str(MlflowClient(uri).get_model_version_by_alias(MODEL_NAME, ALIAS).version) == first.version
    again = promote("smoke")  # the same model does not beat itself
    assert not again.promoted and again.version == first.version

    pairs = pd.DataFrame(
        {
            "cell_line": ["A549", "MCF7", "NO-SUCH-CELL", "A549"],
            "smiles": ["CCOc1cc2ncnc(Nc3cccc(C#C)c3)c2cc1OCCOC", "CC(=O)Nc1ccc(O)cc1", "CCO", "C1CC((N"],
        }
    )
    pairs.to_csv(tmp_path / "pairs.csv", index=False)
    out = tmp_path / "preds.csv"
    subprocess.run(
        [sys.executable, "-m", "gsdrp.cli", "predict", "--model", f"models:/{MODEL_NAME}@{ALIAS}",
         "--input", str(tmp_path / "pairs.csv"), "--output", str(out)],
        env={**os.environ, "MLFLOW_TRACKING_URI": uri}, check=True, timeout=600,
    )
    preds = pd.read_csv(out)
    assert preds["prediction"][:2].notna().all() and preds["error"][:2].isna().all()
    assert preds["prediction"][2:].isna().all()
    assert preds["error"][2] == "unknown cell line 'NO-SUCH-CELL'"
    assert preds["error"][3] == "invalid SMILES 'C1CC((N'"
    loaded = mlflow.pyfunc.load_model(f"models:/{MODEL_NAME}@{ALIAS}")
    assert abs(float(loaded.predict(pairs[:1])["prediction"][0]) - preds["prediction"][0]) < 1e-4

    report = explain(best.info.run_id, "test", tmp_path / "explain", prepared_root)  # an MLflow run id works too
    assert "Known mechanisms in the top 10" in report.read_text()


def test_a_split_sweep_starts_from_its_preset_and_promotes_to_the_splits_alias(prepared_root, tmp_path, bystander):
    uri = f"sqlite:///{tmp_path / 'mlflow.db'}"
    done = subprocess.run(
        [sys.executable, str(REPO / "sweeps" / "full.py"), "--split", "drug_blind", "--num-samples", "1", "--max-epochs", "1",
         "--storage", str(tmp_path / "ray"), "--prepared", str(prepared_root)],
        env=sweep_env(uri), capture_output=True, text=True, timeout=TIMEOUT,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    parents, (trial,) = runs_of(uri, "full-drug_blind")  # the preset has no gene-set path, so no interpretation
    assert len(parents) == 1 and trial.data.tags[OUTCOME] == "completed"
    client = MlflowClient(uri)
    version = client.get_model_version_by_alias(MODEL_NAME, "drug_blind")
    assert version.run_id == trial.info.run_id
    assert f"models:/{MODEL_NAME}@drug_blind now points to version {version.version}" in done.stdout
    assert set(client.get_registered_model(MODEL_NAME).aliases) == {"drug_blind"}  # the champion is left alone
    preset = json.loads((REPO / "gsdrp" / "presets" / "champion-drug-blind.json").read_text())["model"]
    for key, value in preset.items():  # the first trial is the split's preset
        logged = trial.data.params[f"model.{key}"]
        assert float(logged) == pytest.approx(value, rel=1e-9) if isinstance(value, float) else logged == str(value), key


def submit(cluster, runtime_env: dict, *command: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(RAY), "job", "submit", "--address", cluster.dashboard, "--working-dir", str(REPO), "--runtime-env-json", json.dumps(runtime_env),
         "--", *command],
        env=cluster.env, capture_output=True, text=True, timeout=TIMEOUT,
    )


def test_ray_job_submit_on_a_real_head(prepared_root, raw_dir, tmp_path, ray_cluster):
    cluster = ray_cluster(head_cpus=2, worker_cpus=[])
    # As cluster/runtime_env.yaml: the job runs from Ray's copy of the code, so data and models are named.
    env_vars = {
        "HF_HUB_OFFLINE": "1", "GSDRP_MODELS": str(models_dir()), "GSDRP_RAW_DATA": str(raw_dir),
        "GSDRP_EMBEDDINGS": str(DEFAULT_CACHE),
    }
    command = smoke_command(tmp_path / "ray", prepared_root, "--num-samples", "2", "--replicates", "mean")
    refused = submit(cluster, {"env_vars": env_vars}, *command)
    assert refused.returncode != 0
    assert "MLFLOW_TRACKING_URI is not set in this Ray job" in refused.stdout + refused.stderr

    uri = f"sqlite:///{tmp_path / 'mlflow.db'}"
    done = submit(cluster, {"env_vars": {**env_vars, "MLFLOW_TRACKING_URI": uri}}, *command)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "succeeded" in done.stdout.lower()
    children = assert_tracked(uri, "smoke", trials=2)
    # a non-default DataConfig reaches the job's driver (which prepares its cache), every trial and the parent run
    assert (prepared_root / DataConfig(replicates="mean").cache_name / "summary.json").is_file()
    parents, _ = runs_of(uri, "smoke")
    assert {r.data.params["data.replicates"] for r in parents + children} == {"mean"}


NODE_LOSS_SWEEP = textwrap.dedent(
    """
    import sys
    from ray import tune
    from gsdrp.tune.runner import SweepOptions, run_sweep
    space = {"train.lr": tune.grid_search([3e-3, 5e-3]), "train.train_fraction": 0.02, "model.dim": 16}
    options = SweepOptions(name="node-loss", search="grid", num_samples=1, max_epochs=6, max_failures=2,
                           storage=sys.argv[1], prepared=sys.argv[2])
    results = run_sweep(space, options)
    print("ERRORS", sum(r.error is not None for r in results))
    """
)


def test_multi_node_sweep_on_postgres_survives_losing_a_worker_node(prepared_root, tmp_path, pg_mlflow_server, ray_cluster):
    """Two 1-CPU workers, one trial each; one worker node is killed mid-trial: its trial is retried on the
    other node from its checkpoint, into the same MLflow run on the PostgreSQL-backed server."""
    uri = pg_mlflow_server.url
    cluster = ray_cluster(head_cpus=0, worker_cpus=[1, 1])  # trials can only run on the two workers
    driver = subprocess.Popen(
        [sys.executable, "-c", NODE_LOSS_SWEEP, str(tmp_path / "ray"), str(prepared_root)],
        env=sweep_env(uri, RAY_ADDRESS=cluster.address), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )

    def training() -> list:
        return [r for r in runs_of(uri, "node-loss")[1] if r.info.status == "RUNNING" and "val_rmse" in r.data.metrics]

    try:
        wait_for(lambda: len(training()) == 2 or driver.poll() is not None, TIMEOUT, "two trials training")
        before = {r.data.tags[TRIAL_ID]: r.data.tags[NODE] for r in training()}
        assert len(before) == 2 and len(set(before.values())) == 2, f"the trials did not run on both worker nodes: {before}, {[(r.data.tags[TRIAL_ID], r.data.tags[NODE], r.info.status, r.info.start_time) for r in runs_of(uri, 'node-loss')[1]]}"
        cluster.workers[0].kill()
        output, _ = driver.communicate(timeout=TIMEOUT)
    finally:
        if driver.poll() is None:
            driver.kill()
    assert driver.returncode == 0 and "ERRORS 0" in output, output[-3000:]
    _, children = runs_of(uri, "node-loss")
    assert len(children) == 2 and all(r.info.status == "FINISHED" for r in children)  # none left RUNNING
    after = {r.data.tags[TRIAL_ID]: r.data.tags[NODE] for r in children}
    moved = [trial for trial in before if after[trial] != before[trial]]
    assert len(moved) == 1  # the lost node's trial ...
    survivor = next(node for trial, node in before.items() if trial not in moved)
    assert after[moved[0]] == survivor  # ... finished on the other node
    for run in children:
        assert run.data.tags[OUTCOME] == "completed" and "final_test_rmse" in run.data.metrics
        steps = {m.step for m in MlflowClient(uri).get_metric_history(run.info.run_id, "val_rmse")}
        assert steps == set(range(1, 7))  # every epoch's point, none lost with the node


FAILING_SWEEP = textwrap.dedent(
    """
    import sys
    from ray import tune
    from gsdrp.tune.runner import SweepOptions, run_sweep
    space = {"train.lr": tune.grid_search([3e-3, 1e12]), "train.train_fraction": 0.02, "model.dim": 16}
    options = SweepOptions(name="faulty", search="grid", num_samples=1, max_epochs=2, max_failures=1,
                           storage=sys.argv[1], prepared=sys.argv[2])
    results = run_sweep(space, options)
    print("ERRORS", sum(r.error is not None for r in results))
    """
)


def test_a_failing_trial_is_recorded_and_the_sweep_goes_on(prepared_root, tmp_path, bystander):
    uri = f"sqlite:///{tmp_path / 'mlflow.db'}"
    done = subprocess.run(
        [sys.executable, "-c", FAILING_SWEEP, str(tmp_path / "ray"), str(prepared_root)],
        env=sweep_env(uri), capture_output=True, text=True, timeout=TIMEOUT,
    )
    assert "ERRORS 1" in done.stdout, done.stdout[-3000:] + done.stderr[-3000:]
    _, children = runs_of(uri, "faulty")
    assert len(children) == 2  # the retry reused the failed trial's run
    failed = [r for r in children if r.info.status == "FAILED"]
    assert len(failed) == 1 and "non-finite training loss" in failed[0].data.tags[REASON]
    ok = [r for r in children if r.data.tags.get(OUTCOME) == "completed"]
    assert len(ok) == 1 and "final_test_rmse" in ok[0].data.metrics


def test_killed_driver_resumes_without_rerunning_finished_trials(prepared_root, tmp_path, bystander):
    uri = f"sqlite:///{tmp_path / 'mlflow.db'}"
    command = smoke_command(tmp_path / "ray", prepared_root, "--num-samples", "3", "--max-concurrent", "1")
    driver = subprocess.Popen(command, env=sweep_env(uri), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)

    def finished_trials() -> list:
        try:
            return [r for r in runs_of(uri, "smoke")[1] if r.info.status == "FINISHED"]
        except Exception:  # the store may be mid-migration while the driver creates it
            return []

    def recorded() -> list:
        """Trials finished in MLflow that Tune's saved experiment state also records as finished: only those
        can a resumed sweep know to be done (one that ended just before the kill is resumed from its checkpoint)."""
        terminated = tune_terminated(tmp_path / "ray" / "smoke")
        return [r for r in finished_trials() if r.data.tags[TRIAL_ID] in terminated]

    try:
        wait_for(lambda: len(recorded()) >= 1, TIMEOUT, "a first finished trial in Tune's experiment state")
    finally:
        end_session(driver.pid)  # the driver and the local Ray instance it started, nothing else
        driver.wait()
    client = MlflowClient(uri)
    before = {
        r.data.tags[TRIAL_ID]: (r.info.run_id, r.info.end_time, len(client.get_metric_history(r.info.run_id, "val_rmse")))
        for r in recorded()
    }
    assert 1 <= len(before) < 3

    done = subprocess.run([*command, "--resume"], env=sweep_env(uri), capture_output=True, text=True, timeout=TIMEOUT)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    parents, children = runs_of(uri, "smoke")
    assert len(parents) == 1
    ids = [r.data.tags[TRIAL_ID] for r in children]
    assert len(ids) == len(set(ids))  # every trial once, none duplicated
    # A trial the kill caught before Tune recorded it cannot be resumed: it is closed, and a new trial runs.
    lost = [r for r in children if r.data.tags.get(OUTCOME) == "lost_with_driver"]
    assert len(lost) <= 1 and all(r.info.status == "KILLED" for r in lost)
    assert len(children) - len(lost) == 3 and all(r.info.status == "FINISHED" for r in children if r not in lost)
    for trial_id, (run_id, end_time, epochs) in before.items():
        after = next(r for r in children if r.data.tags[TRIAL_ID] == trial_id)
        assert after.info.run_id == run_id and after.info.end_time == end_time  # not rerun
        assert len(client.get_metric_history(run_id, "val_rmse")) == epochs  # no second set of curves


def tune_terminated(experiment: Path) -> set[str]:
    """Ids of the trials that Tune's latest saved experiment state records as TERMINATED."""
    states = sorted(experiment.glob("experiment_state-*.json"))
    try:
        trials = json.loads(states[-1].read_text())["trial_data"] if states else []
    except json.JSONDecodeError:  # caught mid-write
        return set()
    return {state["trial_id"] for state in (json.loads(trial[0]) for trial in trials) if state["status"] == "TERMINATED"}


def test_runs_left_running_are_closed_as_lost(tmp_path):
    """After a sweep, a trial run still RUNNING belongs to a trial Tune never recorded: it is closed."""
    from gsdrp.tracking.store import use_tracking
    from gsdrp.tune.runner import _close_lost_trials

    uri = f"sqlite:///{tmp_path / 'mlflow.db'}"
    client = use_tracking(uri)
    experiment = client.create_experiment("lost")
    parent = client.create_run(experiment, tags={KIND: "sweep"}).info.run_id
    done = client.create_run(experiment, tags={KIND: "trial", "mlflow.parentRunId": parent}).info.run_id
    client.set_terminated(done, "FINISHED")
    orphan = client.create_run(experiment, tags={KIND: "trial", "mlflow.parentRunId": parent}).info.run_id
    _close_lost_trials(client, {"experiment_id": experiment, "parent_run_id": parent})
    assert client.get_run(orphan).info.status == "KILLED"
    assert client.get_run(orphan).data.tags[OUTCOME] == "lost_with_driver"
    assert client.get_run(done).info.status == "FINISHED" and OUTCOME not in client.get_run(done).data.tags


def test_a_ray_instance_beside_the_suite_outlives_the_cluster_tests(bystander):
    """Runs after every cluster and local-instance test above: they ended only what they started."""
    alive = {p.pid for p in in_session(bystander.head.process.pid)}
    assert bystander.pids <= alive, f"the bystander lost processes {sorted(bystander.pids - alive)}"
    status = subprocess.run([str(RAY), "status", "--address", bystander.address], env=bystander.env,
                            capture_output=True, text=True, timeout=120)
    assert status.returncode == 0 and "Resources" in status.stdout, status.stdout + status.stderr
