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
