"""Search-space keys map onto the typed configs; a typo is an error, not a silently ignored knob."""

from __future__ import annotations

import pytest
from ray import tune

from gsdrp.config import ModelConfig, TrainConfig
from gsdrp.tune.runner import _collections
from gsdrp.tune.space import configs


def test_flat_trial_config_becomes_typed_configs():
    model, train = configs({"model.dim": 32, "model.heads": 2, "model.residual_gate": True, "train.lr": 0.01, "other": 1})
    assert model == ModelConfig(dim=32, heads=2, residual_gate=True)
    assert train == TrainConfig(lr=0.01)


def test_unknown_key_names_the_config():
    with pytest.raises(KeyError, match="ModelConfig has no field 'dims'"):
        configs({"model.dims": 32})


def test_collections_needed_by_a_space():
    assert _collections({}) == ["hallmark"]
    assert _collections({"train.collection": tune.choice(["hallmark", "go"])}) == ["hallmark", "go"]
    assert _collections({"train.collection": tune.grid_search(["go"])}) == ["go"]


def test_the_full_search_space_maps_onto_the_configs():
    """Every key of every shared space piece is a config field, and a sample of each builds valid configs."""
    from gsdrp.tune.space import ARCHITECTURE, EXTENSIONS, GENE_SETS, LOSS_WEIGHTS, OPTIMISATION

    space = {**LOSS_WEIGHTS, **ARCHITECTURE, **OPTIMISATION, **GENE_SETS, **EXTENSIONS}
    for seed in range(20):
        trial = {key: domain.sample(random_state=seed) for key, domain in space.items()}
        model, train = configs(trial)
        assert model.cell_input in ("sets", "genes", "both") and train.batch_size in (4096, 8192, 16384)


def test_fix_pins_a_dimension_or_narrows_it_to_a_choice():
    from gsdrp.tune.space import pinned

    pins = pinned(["model.dim=64,128", "model.identity=true", "train.lr=0.003"])
    assert pins["model.identity"] is True and pins["train.lr"] == 0.003
    assert pins["model.dim"].categories == [64, 128]


@pytest.mark.parametrize(
    "assignment, message",
    [
        ("model.dims=64", "expected model.<field>=VALUE"),
        ("dim=64", "expected model.<field>=VALUE"),
        ("model.dim", "expected model.<field>=VALUE"),
        ("model.dim=wide", "model.dim must be a int"),
        ("model.identity=yes", "model.identity is true or false"),
    ],
)
def test_fix_refuses_what_no_trial_could_use(assignment, message):
    from gsdrp.config import ConfigError
    from gsdrp.tune.space import pinned

    with pytest.raises(ConfigError, match=message):
        pinned([assignment])


def test_the_blind_space_builds_valid_configs_without_test_identities():
    from gsdrp.tune.space import BLIND, GENE_SETS, LOSS_WEIGHTS

    space = {**LOSS_WEIGHTS, **GENE_SETS, **BLIND}
    samples = [configs({key: domain.sample(random_state=seed) for key, domain in space.items()}) for seed in range(30)]
    assert {model.cell_input for model, _ in samples} == {"sets", "genes", "both"}
    assert {model.drug_fingerprint for model, _ in samples} == {False, True}
    assert all(not model.identity or model.identity_dropout >= 0.2 for model, _ in samples)


def test_the_preset_is_a_point_of_the_main_job_space():
    """HyperOpt gets the shipped preset as the main job's first trial: every searched value lies in its domain."""
    import importlib.util

    from gsdrp.presets import preset
    from gsdrp.tune.space import preset_point

    spec = importlib.util.spec_from_file_location("champion_sweep", "sweeps/champion.py")
    sweep = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(sweep)
    point = preset_point("champion", sweep.SPACE)
    model, train = preset("champion")
    assert point == {"model.dropout": model.dropout, "model.residual_gate": model.residual_gate, "train.lr": train["lr"]}
    assert sweep.SPACE["train.lr"].lower <= point["train.lr"] <= sweep.SPACE["train.lr"].upper
    assert sweep.SPACE["model.dropout"].lower <= point["model.dropout"] <= sweep.SPACE["model.dropout"].upper
    assert configs({**sweep.SPACE, **point})[0] == model


def test_a_start_point_follows_the_pins_of_the_sweep():
    from gsdrp.tune.runner import _within

    space = {"model.dim": tune.choice([64, 128]), "train.lr": tune.loguniform(1e-3, 1e-2), "model.heads": 2}
    assert _within({"model.dim": 128, "train.lr": 0.004, "model.heads": 2}, space) == {"model.dim": 128, "train.lr": 0.004}
    assert _within({"model.dim": 256, "train.lr": 0.004}, space) is None  # --fix model.dim=64,128 excludes it
    assert _within({"model.heads": 4, "train.lr": 0.004}, space) is None  # --fix model.heads=2 excludes it


def test_the_search_tries_the_start_point_first_and_then_draws_its_own():
    """What a baseline or split sweep does with its shipped setting: HyperOpt suggests it first, then varies."""
    from gsdrp.tune.runner import METRIC, MODE, SweepOptions, _tune_config

    space = {"baseline.model": "ridge", "baseline.alpha": tune.loguniform(1.0, 1e4)}
    search = _tune_config(SweepOptions(name="ridge", num_samples=2, max_concurrent=2), [{"baseline.alpha": 100.0}]).search_alg
    search.set_search_properties(METRIC, MODE, space)
    first, second = search.suggest("first"), search.suggest("second")
    assert first == {"baseline.model": "ridge", "baseline.alpha": 100.0}
    assert second["baseline.model"] == "ridge" and 1.0 <= second["baseline.alpha"] <= 1e4 and second["baseline.alpha"] != 100.0


def test_the_mechanism_space_builds_valid_configs_and_reads_no_pathway_mapping():
    import importlib.util

    spec = importlib.util.spec_from_file_location("mechanism_sweep", "sweeps/mechanism.py")
    sweep = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(sweep)
    space = sweep.SPACE
    draw = lambda domain, seed: domain.sample(random_state=seed) if hasattr(domain, "sample") else domain  # noqa: E731
    samples = [configs({key: draw(domain, seed) for key, domain in space.items()})[0] for seed in range(30)]
    assert {model.cell_path for model in samples} == {"mlp", "tokens"}
    assert all(model.variant == "full" and not model.bilinear and not model.identity for model in samples)
    assert not any("pathway" in key for key in space)


@pytest.mark.parametrize("preset_name, space_names", [
    ("champion", ("LOSS_WEIGHTS", "ARCHITECTURE", "OPTIMISATION", "GENE_SETS", "EXTENSIONS")),
    ("champion-cell-blind", ("LOSS_WEIGHTS", "GENE_SETS", "BLIND")),
])
def test_each_shipped_preset_is_a_start_point_of_its_splits_full_sweep(preset_name, space_names):
    """sweeps/full.py starts each split's second round from its preset: every value must lie in the space."""
    from gsdrp.tune import space as pieces
    from gsdrp.tune.runner import _within
    from gsdrp.tune.space import preset_point

    space = {key: value for name in space_names for key, value in getattr(pieces, name).items()}
    point = preset_point(preset_name, space)
    assert _within(point, space) == point and point
    for key, value in point.items():
        domain = space[key]
        if hasattr(domain, "categories"):
            assert value in domain.categories, key
        else:
            assert domain.lower <= value <= domain.upper, key
