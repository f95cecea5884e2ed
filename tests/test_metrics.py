"""Metrics against scipy/sklearn; naive baselines exact on constructed data."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from scipy import stats
from sklearn.metrics import mean_squared_error, r2_score

from gsdrp.baselines.naive import NaiveConfig, NaiveModel
from gsdrp.metrics import regression_metrics


def test_metrics_agree_with_scipy_and_sklearn():
    rng = np.random.default_rng(0)
    y = rng.normal(size=200)
    pred = y + rng.normal(scale=0.5, size=200)
    drugs = np.repeat(np.arange(10), 20)
    m = regression_metrics(y, pred, drugs, mean_effects=np.zeros(200))
    assert m["rmse"] == pytest.approx(np.sqrt(mean_squared_error(y, pred)))
    assert m["pcc"] == pytest.approx(stats.pearsonr(y, pred)[0])
    assert m["spearman"] == pytest.approx(stats.spearmanr(y, pred)[0])
    assert m["r2"] == pytest.approx(r2_score(y, pred))
    per_drug = [stats.pearsonr(y[drugs == d], pred[drugs == d])[0] for d in range(10)]
    assert m["mean_drug_pcc"] == pytest.approx(np.mean(per_drug))
    assert m["pcc_vs_mean_effects"] == pytest.approx(m["pcc"])


def test_nan_predictions_are_refused():
    with pytest.raises(ValueError, match="NaN"):
        regression_metrics(np.ones(3), np.array([1.0, np.nan, 2.0]))


@pytest.fixture()
def additive(real_data):
    """Real indices and splits, responses replaced by mean + cell effect + drug effect + 0.8 * GDSC2."""
    rng = np.random.default_rng(1)
    cell, drug = rng.normal(size=len(real_data.cells)), rng.normal(size=len(real_data.drugs))
    y = 2.0 + cell[real_data.cell_idx] + drug[real_data.drug_idx] + 0.8 * real_data.gdsc2
    return dataclasses.replace(real_data, y=y.astype(np.float32)), cell, drug


def test_mean_effects_is_exact_on_additive_data(additive):
    data, _, _ = additive
    model = NaiveModel(NaiveConfig("mean_effects"), screen_covariate=True)
    model.fit(data)
    test = data.rows("test")
    np.testing.assert_allclose(model.predict(data, test), data.y[test], atol=1e-3)
    assert model.screen_offset == pytest.approx(0.8, abs=1e-3)


def test_drug_mean_is_the_per_drug_training_mean(additive):
    data, _, _ = additive
    model = NaiveModel(NaiveConfig("drug_mean"))
    model.fit(data)
    train = data.rows("train")
    drug = data.drug_idx[train][0]
    expected = data.y[train][data.drug_idx[train] == drug].mean()
    test = data.rows("test")
    row = test[data.drug_idx[test] == drug][:1]
    assert model.predict(data, row)[0] == pytest.approx(expected, abs=1e-5)


def test_unseen_cells_fall_back_to_the_mean(additive):
    data, _, _ = additive
    model = NaiveModel(NaiveConfig("cell_mean"))
    cut = dataclasses.replace(data, part=np.where(data.cell_idx == 0, 2, data.part).astype(np.int8))
    model.fit(cut)
    row = np.flatnonzero(cut.cell_idx == 0)[:1]
    assert model.predict(cut, row)[0] == pytest.approx(model.mean)
