"""Named configurations shipped with gsdrp, in the format of a run's ``config.json`` (``model`` and
``train`` sections; fields left out keep their defaults).

``champion.json`` is the best trial of the sweep in docs/sweeps.md ("The sweep and its champion"), without the
sweep's epoch cap, so it trains to early stopping. ``gsdrp train --preset champion`` trains it and the
benchmark runs it as ``gs_chemdrp_champion``. ``champion-<split>.json`` (e.g. ``champion-cell-blind``)
is the trial that validation selected in that split's sweep (``sweeps/full.py --split ...``); the
benchmark runs it as ``gs_chemdrp_champion_<split>``. Every champion sets ``screen_effect`` to the value
that validation preferred (``benchmarks/screen_effect.py``, docs/sweeps.md). ``baselines/<model>-<split>.json`` (e.g.
``xgboost-cell-blind``) is the trial that validation selected in that split's baseline sweep
(``sweeps/baselines.py``); the benchmark runs it as ``<model>_tuned_<split>``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from gsdrp.config import SPLITS, ConfigError, ModelConfig, configs_from_run

FOLDER = Path(__file__).parent
PRESETS = tuple(sorted(path.stem for path in FOLDER.glob("*.json")))
BASELINE_FOLDER = FOLDER / "baselines"
BASELINE_PRESETS = tuple(sorted(path.stem for path in BASELINE_FOLDER.glob("*.json")))


def champion_preset(split: str) -> str:
    """The name of a split's shipped preset: ``champion`` for the random split, else ``champion-cell-blind`` ..."""
    return "champion" if split == "random" else f"champion-{split.replace('_', '-')}"


def preset_model(name: str) -> str:
    """The benchmark's model name for a preset: ``champion-cell-blind`` runs as ``gs_chemdrp_champion_cell_blind``."""
    return f"gs_chemdrp_{name.replace('-', '_')}"


# split -> its shipped preset, for every split that has one
CHAMPIONS = {split: champion_preset(split) for split in SPLITS if champion_preset(split) in PRESETS}


def preset_path(name: str) -> Path:
    if name not in PRESETS:
        raise ConfigError(f"unknown preset {name!r}; choose from {', '.join(PRESETS) or 'none shipped'}")
    return FOLDER / f"{name}.json"


def preset(name: str) -> tuple[ModelConfig, dict[str, Any]]:
    """The preset's model config and the ``TrainConfig`` fields it sets (to apply over a run's own)."""
    values = json.loads(preset_path(name).read_text())
    _, model, _ = configs_from_run(values)  # checks every field name and type
    return model, values.get("train", {})


def baseline_preset(name: str) -> tuple[str, dict[str, Any]]:
    """A tuned baseline: the zoo model it sets (``xgboost``, ``random_forest``, ``mlp``) and its config fields."""
    values = dict(json.loads((BASELINE_FOLDER / f"{name}.json").read_text())["baseline"])
    return values.pop("model"), values
