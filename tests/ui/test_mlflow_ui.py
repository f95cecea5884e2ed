"""The MLflow UI in a real headless Chromium, against ``mlflow server`` on 127.0.0.1 serving a finished smoke sweep."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest
from mlflow import MlflowClient

from gsdrp.tracking.server import MlflowServer
from gsdrp.tracking.ui import experiment_url, run_url

pytestmark = pytest.mark.slow
playwright = pytest.importorskip("playwright.sync_api")

CHROMIUM = shutil.which("chromium")
# No network here: these keep Chromium from trying to reach it.
FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--no-first-run", "--disable-sync",
]
WAIT_MS = 60_000


@pytest.fixture(scope="module")
def server(finished_smoke_sweep):
    uri, folder, _ = finished_smoke_sweep
    running = MlflowServer(uri, folder / "served", workers=1, log=folder / "server.log").start()
    yield running
    running.stop()


@pytest.fixture()
def page(tmp_path):
    if CHROMIUM is None:
        pytest.skip("Debian's chromium is not installed (.ci/run installs it)")
    with playwright.sync_playwright() as driver:
        browser = driver.chromium.launch_persistent_context(
            tmp_path / "profile", executable_path=CHROMIUM, args=FLAGS, headless=True, viewport={"width": 1900, "height": 900},
        )
        browser.set_default_timeout(WAIT_MS)
        yield browser.new_page()
        browser.close()


def test_experiment_lists_parent_and_nested_trials_with_scores(finished_smoke_sweep, server, page, tmp_path):
    client = MlflowClient(finished_smoke_sweep[0])
    experiment = client.get_experiment_by_name("smoke")
    trials = client.search_runs([experiment.experiment_id], filter_string="tags.`gsdrp.kind` = 'trial'")
    assert len(trials) == 2

    page.goto(experiment_url(experiment.experiment_id, server.url))
    parent = page.locator("[role=row]", has_text="sweep-smoke")
    parent.wait_for()
    assert "/runs" in page.url  # the training runs, not the GenAI overview
    for header in ("Source", "val_rmse", "final_val_rmse"):  # the grid renders only the columns in view
        assert page.get_by_role("columnheader", name=header, exact=True).count() >= 1, header
    for trial in trials:
        assert page.get_by_text(trial.info.run_name, exact=True).count() == 0  # nested: hidden under the parent
    parent.locator("[col-id='attributes.`Run Name`'] button").first.click()
    for trial in trials:
        page.get_by_text(trial.info.run_name, exact=True).wait_for()
    assert page.get_by_text("smoke.py", exact=True).count() == 3  # the source of the parent and of each trial
    page.screenshot(path=tmp_path / "experiment.png")


def test_trial_page_shows_validation_rmse_and_an_image(finished_smoke_sweep, server, page):
    client = MlflowClient(finished_smoke_sweep[0])
    experiment = client.get_experiment_by_name("smoke").experiment_id
    trial = client.search_runs([experiment], filter_string="tags.`gsdrp.outcome` = 'completed'", max_results=1)[0]

    page.goto(run_url(experiment, trial.info.run_id, server.url))
    rows = page.get_by_role("row", name="val_rmse", exact=False)
    rows.first.wait_for()
    # The UI prints the full float (2.712999...), which a rounded string such as "2.7130" misses: compare numbers.
    shown = [float(number) for text in rows.all_inner_texts() for number in re.findall(r"\d+\.\d+", text)]
    assert any(abs(number - trial.data.metrics["val_rmse"]) < 1e-3 for number in shown), shown

    page.goto(run_url(experiment, trial.info.run_id, server.url, tab="artifacts"))
    page.get_by_text("parity.png", exact=True).click()
    image = page.locator("img[src^='blob:']").first
    image.wait_for()
    assert page.evaluate("(img) => img.complete && img.naturalWidth", image.element_handle()) > 100


def test_parent_run_carries_the_sweep_summary(finished_smoke_sweep):
    client = MlflowClient(finished_smoke_sweep[0])
    experiment = client.get_experiment_by_name("smoke")
    assert experiment.tags["mlflow.experimentKind"] == "custom_model_development"
    parent = client.search_runs([experiment.experiment_id], filter_string="tags.`gsdrp.kind` = 'sweep'")[0]
    names = {a.path for a in client.list_artifacts(parent.info.run_id)}
    assert {"sweep_trials.csv", "sweep_trials.txt", "baselines.json", "val_rmse_vs_params.png"} <= names
    baselines = json.loads(Path(client.download_artifacts(parent.info.run_id, "baselines.json")).read_text())
    assert 1.2 < baselines["naive_mean_effects"]["rmse"] < baselines["naive_drug_mean"]["rmse"]
    table = pd.read_csv(client.download_artifacts(parent.info.run_id, "sweep_trials.csv"))
    assert len(table) == 2 and table["epochs"].eq(1).all()
    assert {"model.dim", "train.lr", "outcome", "val_rmse", "final_val_rmse", "final_test_rmse"} <= set(table.columns)
