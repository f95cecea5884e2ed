"""Every model the benchmark can run, by name: the one place model names are written.

``build(name, screen_covariate, train_config)`` makes a model with its default hyperparameters
(the deep models take the given ``TrainConfig``); ``load(folder)`` rebuilds a saved one.
The deep models are the paper's four variants and the full model with each extension beyond the
paper (docs/model.md, "Beyond the paper") and every shipped preset (``gsdrp/presets/*.json``); the
ensembles average several fits of them (``gsdrp.ensemble``). Beside each classical baseline's untuned
setting (and matrix factorisation's) stands its tuned setting per split (``gsdrp/presets/baselines/*.json``),
e.g. ``xgboost_tuned_cell_blind``; ``matrix_factorisation_pair`` gives the GDSC2 shift its own factorisation.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from gsdrp.baselines.classical import MLPModel, RandomForestModel, RidgeModel, XGBoostModel
from gsdrp.baselines.factorisation import FactorisationConfig, FactorisationModel
from gsdrp.baselines.naive import KINDS, NaiveConfig, NaiveModel
from gsdrp.config import VARIANTS, ModelConfig, TrainConfig, from_flat_dict, replace
from gsdrp.ensemble import EnsembleConfig, EnsembleModel
from gsdrp.predictor import DrugResponseModel, read_manifest
from gsdrp.presets import BASELINE_PRESETS, PRESETS, baseline_preset, champion_preset, preset, preset_model
from gsdrp.train.predictor import DeepConfig, GSChemDRPModel

# name -> (model config, the TrainConfig fields it sets over the benchmark's own)
DEEP_MODELS: dict[str, tuple[ModelConfig, dict[str, Any]]] = {
    **{f"gs_chemdrp_{variant}": (ModelConfig(variant=variant), {}) for variant in VARIANTS},
    "gs_chemdrp_full_genes": (ModelConfig(cell_input="both"), {}),
    "gs_chemdrp_full_fingerprint": (ModelConfig(drug_fingerprint=True), {}),
    "gs_chemdrp_full_identity": (ModelConfig(identity=True), {}),
    "gs_chemdrp_full_bilinear": (ModelConfig(bilinear=True), {}),
    # every shipped preset: gs_chemdrp_champion, gs_chemdrp_champion_cell_blind, ...
    **{preset_model(name): preset(name) for name in PRESETS},
}

def champion(split: str) -> str:
    """The model name of a split's shipped preset: ``gs_chemdrp_champion``, ``gs_chemdrp_champion_cell_blind`` ..."""
    return preset_model(champion_preset(split))


# name -> members and fits per member: each blind split's preset averaged over 5 seeds, and beside XGBoost (untuned,
# tuned), alone or as that 5-seed average; the random split's champion beside tuned matrix factorisation
ENSEMBLES: dict[str, EnsembleConfig] = {
    **{f"ensemble_{split}_x5": EnsembleConfig((champion(split),), 5) for split in ("cell_blind", "tissue_blind", "drug_blind")},
    **{
        f"ensemble_xgboost_champion_{split}": EnsembleConfig(("xgboost", champion(split)))
        for split in ("cell_blind", "tissue_blind")
    },
    **{
        f"ensemble_xgboost_tuned_champion_{split}": EnsembleConfig((f"xgboost_tuned_{split}", champion(split)))
        for split in ("cell_blind", "drug_blind", "tissue_blind")
    },
    "ensemble_xgboost_tuned_champion_x5_tissue_blind": EnsembleConfig(("xgboost_tuned_tissue_blind", "ensemble_tissue_blind_x5")),
    "ensemble_matrix_factorisation_tuned_champion": EnsembleConfig(("matrix_factorisation_tuned_random", champion("random"))),
}

CLASSICAL = {"ridge": RidgeModel, "random_forest": RandomForestModel, "xgboost": XGBoostModel, "mlp": MLPModel}
# the baselines a sweep tunes (sweeps/baselines.py): the classical ones and matrix factorisation
TUNABLE: dict[str, type[DrugResponseModel]] = {**CLASSICAL, "matrix_factorisation": FactorisationModel}

# name -> (classical model, its tuned config fields): xgboost-cell-blind.json is xgboost_tuned_cell_blind
TUNED_BASELINES: dict[str, tuple[str, dict[str, Any]]] = {
    name.replace("-", "_tuned_", 1).replace("-", "_"): baseline_preset(name)
    for name in BASELINE_PRESETS
}

Factory = Callable[[bool, TrainConfig], DrugResponseModel]


def tuned_baseline(name: str, screen_covariate: bool) -> DrugResponseModel:
    model, fields = TUNED_BASELINES[name]
    cls = TUNABLE[model]
    tuned = cls(from_flat_dict(cls.config_class, fields), screen_covariate)
    tuned.name = name
    return tuned


REGISTRY: dict[str, tuple[type[DrugResponseModel], Factory]] = {
    **{
        f"naive_{kind}": (NaiveModel, lambda screen, _, kind=kind: NaiveModel(NaiveConfig(kind=kind), screen))
        for kind in KINDS
    },
    **{name: (cls, lambda screen, _, cls=cls: cls(screen_covariate=screen)) for name, cls in CLASSICAL.items()},
    **{name: (TUNABLE[model], lambda screen, _, name=name: tuned_baseline(name, screen)) for name, (model, _) in TUNED_BASELINES.items()},
    "matrix_factorisation": (FactorisationModel, lambda screen, _: FactorisationModel(screen_covariate=screen)),
    "matrix_factorisation_pair": (
        FactorisationModel,
        lambda screen, _: FactorisationModel(FactorisationConfig(screen_effect="pair"), screen, "matrix_factorisation_pair"),
    ),
    **{
        name: (
            GSChemDRPModel,
            lambda screen, train, name=name, model=model, tuned=tuned: GSChemDRPModel(
                DeepConfig(model, replace(train, **tuned)), screen, name
            ),
        )
        for name, (model, tuned) in DEEP_MODELS.items()
    },
    **{
        name: (EnsembleModel, lambda screen, train, name=name, config=config: EnsembleModel(config, screen, name, train))
        for name, config in ENSEMBLES.items()
    },
}
MODELS = tuple(REGISTRY)
FAMILIES = {NaiveModel: "naive", GSChemDRPModel: "gs_chemdrp", EnsembleModel: "ensemble"}


def family(name: str) -> str:
    """``gs_chemdrp``, ``ensemble`` (``gsdrp.ensemble``: averages of fits), ``naive`` or ``baseline`` (the
    other baselines: ridge, forest, XGBoost, MLP, factorisation)."""
    return FAMILIES.get(REGISTRY[name][0], "baseline")


def ensemble_members(name: str) -> set[str]:
    """The models an ensemble averages, members of members included; none for a model that is no ensemble."""
    direct = ENSEMBLES[name].members if name in ENSEMBLES else ()
    return set(direct).union(*(ensemble_members(member) for member in direct))


def nesting(name: str) -> int:
    """0 for a single model, 1 for an ensemble of single models, 2 for an ensemble with an ensemble member ..."""
    return 1 + max(map(nesting, ENSEMBLES[name].members)) if name in ENSEMBLES else 0


def gs_family(name: str) -> bool:
    """A GS-ChemDRP model, or an ensemble of GS-ChemDRP models only (members that are ensembles included)."""
    if name in ENSEMBLES:
        return all(gs_family(member) for member in ENSEMBLES[name].members)
    return family(name) == "gs_chemdrp"


def build(name: str, screen_covariate: bool, train_config: TrainConfig = TrainConfig()) -> DrugResponseModel:
    if name not in REGISTRY:
        raise ValueError(f"unknown model {name!r}; choose from {', '.join(MODELS)}")
    return REGISTRY[name][1](screen_covariate, train_config)


def load(folder: Path) -> DrugResponseModel:
    """A model saved with ``DrugResponseModel.save``."""
    name, values, screen = read_manifest(folder)
    cls = REGISTRY[name][0]
    model = cls(cls.config_from_flat(values), screen)
    model.name = name  # presets of one class differ by name
    model.load_state(folder)
    return model
