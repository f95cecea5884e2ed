"""Search-space pieces shared by every sweep in ``sweeps/``.

A trial's config is flat: ``model.<field>`` and ``train.<field>`` keys map onto ``ModelConfig`` and
``TrainConfig``; anything else is the sweep's own. Spaces are plain dicts of Ray Tune domains.
"""

from __future__ import annotations

from typing import Any

from ray import tune
from ray.tune.search.sample import Domain

from gsdrp.config import ConfigError, ModelConfig, TrainConfig, from_flat_dict, replace, to_flat_dict
from gsdrp.presets import preset

LOSS_WEIGHTS = {
    "model.alpha_sparsity": tune.loguniform(1e-5, 1e-1),
    "model.beta_supcon": tune.loguniform(1e-3, 1.0),
    "model.gamma_smooth": tune.loguniform(1e-5, 1e-1),
    "model.temperature": tune.uniform(0.05, 0.5),
}
ARCHITECTURE = {
    "model.heads": tune.choice([2, 4, 8]),
    "model.dim": tune.choice([64, 128, 256]),
    "model.dropout": tune.uniform(0.0, 0.3),
    "model.residual_gate": tune.choice([False, True]),
}
OPTIMISATION = {
    "train.lr": tune.loguniform(1e-3, 2e-2),
    "train.batch_size": tune.choice([4096, 8192, 16384]),
}
# Beyond the paper: what the cell MLP reads, fingerprints in z_d, identity embeddings, the bilinear term,
# what the GDSC2 offset depends on.
EXTENSIONS = {
    "model.cell_input": tune.choice(["sets", "genes", "both"]),
    "model.drug_fingerprint": tune.choice([False, True]),
    "model.identity": tune.choice([False, True]),
    "model.identity_dropout": tune.uniform(0.1, 0.6),
    "model.bilinear": tune.choice([False, True]),
    "model.screen_effect": tune.choice(["global", "drug", "pair"]),
}
GENE_SETS = {"train.collection": tune.choice(["hallmark", "go"])}
# For the blind splits, where a test cell line, tissue or drug never appears in training: the inputs must
# carry the prediction, so the space searches what the cell and drug inputs are, identity terms only with
# dropout (they are absent for unseen entities), regularisation, size and early stopping.
BLIND = {
    "model.variant": tune.choice(["full", "baseline"]),
    "model.cell_input": tune.choice(["sets", "genes", "both"]),
    "model.drug_fingerprint": tune.choice([False, True]),
    "model.identity": tune.choice([False, True]),
    "model.identity_dropout": tune.uniform(0.2, 0.7),
    "model.bilinear": tune.choice([False, True]),
    "model.residual_gate": tune.choice([False, True]),
    "model.screen_effect": tune.choice(["global", "drug", "pair"]),
    "model.dim": tune.choice([64, 128]),
    "model.heads": tune.choice([2, 4]),
    "model.dropout": tune.uniform(0.0, 0.5),
    "train.lr": tune.loguniform(1e-3, 1e-2),
    "train.weight_decay": tune.loguniform(1e-6, 1e-2),
    "train.batch_size": tune.choice([4096, 8192, 16384]),
    "train.patience": tune.choice([3, 5]),
}
FINETUNE = {"model.finetune_encoder": tune.choice([False, True])}


# The options that can open the gene-set path (docs/interpretation.md), searched beside the paper's loss weights.
MECHANISM = {
    "model.gate_prior": tune.uniform(-1.0, 3.0),
    "model.alpha_warmup_epochs": tune.choice([0.0, 2.0, 5.0]),
    "model.cell_path": tune.choice(["mlp", "tokens"]),
    "model.token_dropout": tune.uniform(0.0, 0.3),
    "model.attention_temperature": tune.loguniform(0.5, 2.0),
}


def _target(key: str) -> tuple[type | None, str]:
    """``model.dim`` -> (ModelConfig, "dim"); a key of no config -> (None, ...)."""
    prefix, _, name = key.partition(".")
    return {"model": ModelConfig, "train": TrainConfig}.get(prefix), name


def configs(trial: dict[str, Any]) -> tuple[ModelConfig, TrainConfig]:
    """The typed configs of one trial (unknown ``model.``/``train.`` keys raise)."""
    for key in trial:
        target, name = _target(key)
        if target is not None and name not in target.__dataclass_fields__:
            raise KeyError(f"search-space key {key!r}: {target.__name__} has no field {name!r}")
    return from_flat_dict(ModelConfig, trial, "model."), from_flat_dict(TrainConfig, trial, "train.")


def preset_point(name: str, space: dict[str, Any]) -> dict[str, Any]:
    """The shipped preset's value of every searched dimension of ``space``: a first trial to hand
    HyperOpt as ``points_to_evaluate``, so a sweep starts from the best known configuration."""
    model, train = preset(name)
    flat = {**to_flat_dict(model, "model."), **to_flat_dict(replace(TrainConfig(), **train), "train.")}
    return {key: flat[key] for key, domain in space.items() if isinstance(domain, Domain)}


def pinned(assignments: list[str]) -> dict[str, Any]:
    """``["model.dim=64,128", "train.lr=0.003"]`` as typed space entries that replace those dimensions
    of a sweep's search space (``--fix``): one value pins it, a comma list becomes ``tune.choice``.
    A value of the wrong type or an unknown key raises ``ConfigError``."""
    pins = {}
    for assignment in assignments:
        key, sep, text = assignment.partition("=")
        target, name = _target(key)
        if not sep or target is None or name not in target.__dataclass_fields__:
            raise ConfigError(f"--fix {assignment!r}: expected model.<field>=VALUE or train.<field>=VALUE with a config field")
        kind = type(getattr(target(), name))
        if kind is bool and not set(text.lower().split(",")) <= {"true", "false"}:
            raise ConfigError(f"--fix {assignment!r}: {key} is true or false")
        try:
            values = [word.lower() == "true" if kind is bool else kind(word) for word in text.split(",")]
        except ValueError:
            raise ConfigError(f"--fix {assignment!r}: {key} must be a {kind.__name__}") from None
        pins[key] = values[0] if len(values) == 1 else tune.choice(values)
    return pins
