"""The model contract, over every registered model: fit on a small real slice, predict, save, load."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from gsdrp import zoo
from gsdrp.config import TrainConfig
from gsdrp.ensemble import EnsembleConfig
from gsdrp.metrics import rmse
from gsdrp.zoo import MODELS, TUNED_BASELINES, build, family, gs_family, load

QUICK_DEEP = TrainConfig(max_epochs=2, patience=2, batch_size=512, lr=3e-3, warmup_epochs=0.5)
QUICK = {"xgboost": {"n_estimators": 60}, "random_forest": {"n_estimators": 10}, "mlp": {"max_iter": 5}}


@pytest.fixture()
def build_quick(monkeypatch):
    """``build`` with small budgets, also for the members an ensemble builds: fewer trees, iterations and seeds."""
    full_build = zoo.build

    def quick_build(name, screen_covariate, train_config=QUICK_DEEP):
        model = full_build(name, screen_covariate, train_config)
        small = QUICK.get(TUNED_BASELINES.get(name, (name,))[0], {})  # a tuned baseline as its untuned model
        if isinstance(model.config, EnsembleConfig):
            small = {"seeds": min(model.config.seeds, 2)}
        model.config = dataclasses.replace(model.config, **small)
        return model

    monkeypatch.setattr(zoo, "build", quick_build)
    return quick_build


@pytest.fixture(scope="module")
def small_data(real_data):
    """6,000 training, 1,500 validation and 1,500 test pairs of the real random split; the rest unused."""
    rng = np.random.default_rng(0)
    part = np.full_like(real_data.part, 9)
    for code, size in ((0, 6000), (1, 1500), (2, 1500)):
        part[rng.choice(np.flatnonzero(real_data.part == code), size, replace=False)] = code
    return dataclasses.replace(real_data, part=part)


@pytest.mark.slow
@pytest.mark.parametrize("name", MODELS)
def test_every_model_fits_predicts_and_round_trips(name, small_data, tmp_path, build_quick):
    model = build_quick(name, screen_covariate=True)
    assert model.name == name
    report = model.fit(small_data, seed=0)
    assert report.budget["rows_seen"] == 6000

    test, train = small_data.rows("test"), small_data.rows("train")
    pred = model.predict(small_data, test)
    assert pred.shape == (1500,) and pred.dtype == np.float32 and np.isfinite(pred).all()

    fitted = rmse(small_data.y[train], model.predict(small_data, train))
    global_mean = rmse(small_data.y[train], np.full(len(train), small_data.y[train].mean()))
    assert fitted < global_mean  # with the screen covariate on, even the global mean model adds an offset

    restored = load(model.save(tmp_path / name))
    assert restored.name == name and restored.hyperparameters() == model.hyperparameters()
    np.testing.assert_allclose(restored.predict(small_data, test), pred, rtol=1e-5, atol=1e-5)


def test_unknown_model_names_the_choices():
    with pytest.raises(ValueError, match="unknown model 'nosuch'; choose from naive_mean, "):
        build("nosuch", screen_covariate=False)


def test_a_preset_without_the_screen_covariate_drops_its_screen_effect():
    """The shift it shapes is gone, so it is not a setting of that fit either (docs/model.md)."""
    assert build("gs_chemdrp_champion_cell_blind", True).config.model.screen_effect == "pair"
    assert build("gs_chemdrp_champion_cell_blind", False).config.model.screen_effect == "global"


def test_families_follow_the_model_class_and_blends_are_not_gs_chemdrp():
    """What the pages and the make-sweep summary count as a baseline, a GS-ChemDRP model or a blend."""
    assert [family(m) for m in ("naive_mean", "xgboost_tuned_cell_blind", "gs_chemdrp_champion", "ensemble_tissue_blind_x5")] == [
        "naive", "baseline", "gs_chemdrp", "ensemble"]
    assert gs_family("gs_chemdrp_champion") and gs_family("ensemble_tissue_blind_x5")
    # a member that is itself a GS-ChemDRP ensemble does not make a tree's blend GS-ChemDRP
    assert not gs_family("ensemble_xgboost_tuned_champion_x5_tissue_blind") and not gs_family("xgboost")


def test_an_ensemble_reuses_a_member_fitted_alone_and_counts_its_cost(small_data):
    from gsdrp.zoo import ensemble_members, nesting
    from gsdrp.ensemble import EnsembleConfig, EnsembleModel, Fitted

    alone = build("naive_drug_mean", screen_covariate=True)
    budget = alone.fit(small_data, seed=3).budget
    blend = EnsembleModel(EnsembleConfig(("naive_drug_mean", "naive_mean_effects")), True)
    blend.reuse = {("naive_drug_mean", 3): Fitted(alone, budget, 7.0), ("naive_drug_mean", 4): Fitted(alone, budget, 1.0)}
    report = blend.fit(small_data, seed=3)
    assert blend.fits[0] is alone and (report.budget["reused_fits"], report.budget["reused_seconds"]) == (1, 7.0)

    test = small_data.rows("test")
    fresh = EnsembleModel(EnsembleConfig(("naive_drug_mean", "naive_mean_effects")), True)
    assert "reused_fits" not in fresh.fit(small_data, seed=3).budget
    np.testing.assert_allclose(blend.predict(small_data, test), fresh.predict(small_data, test), rtol=1e-6)

    # the benchmark fits a blend's members first, the 5-seed average before the blend that averages it
    assert nesting("gs_chemdrp_champion_tissue_blind") == 0 and nesting("ensemble_xgboost_tuned_champion_x5_tissue_blind") == 2
    assert ensemble_members("ensemble_xgboost_tuned_champion_x5_tissue_blind") == {"xgboost_tuned_tissue_blind", "ensemble_tissue_blind_x5", "gs_chemdrp_champion_tissue_blind"}
