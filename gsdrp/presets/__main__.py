"""Write a preset from a trial's or run's ``config.json``: its model config whole, and the training
fields it tuned (those that differ from the defaults, except the split, seed, epoch cap, device and
training fraction, which belong to each run). A baseline sweep's trial (its ``params.json``, which
names ``baseline.model``) becomes a tuned baseline preset: the model and its ``baseline.*`` fields.

    python -m gsdrp.presets champion path/to/config.json
    python -m gsdrp.presets xgboost-cell-blind path/to/params.json
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from gsdrp.config import TrainConfig, configs_from_run, to_flat_dict
from gsdrp.presets import BASELINE_FOLDER, FOLDER

PER_RUN = ("split", "seed", "max_epochs", "device", "train_fraction")
BASELINE = "baseline."


def preset_values(config: dict) -> dict:
    _, model, train = configs_from_run(config)
    defaults = to_flat_dict(TrainConfig())
    tuned = {k: v for k, v in to_flat_dict(train).items() if k not in PER_RUN and v != defaults[k]}
    return {"model": to_flat_dict(model), "train": tuned}


def baseline_values(trial: dict) -> dict:
    return {"baseline": {key.removeprefix(BASELINE): value for key, value in trial.items() if key.startswith(BASELINE)}}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("name", help="preset name (gsdrp/presets/<name>.json)")
    parser.add_argument("config", type=Path, help="a trial's or run's config.json")
    args = parser.parse_args(argv)
    config = json.loads(args.config.read_text())
    if f"{BASELINE}model" in config:
        target, values = BASELINE_FOLDER / f"{args.name}.json", baseline_values(config)
    else:
        target, values = FOLDER / f"{args.name}.json", preset_values(config)
    target.write_text(json.dumps(values, indent=2) + "\n")
    print(f"wrote {target}")


if __name__ == "__main__":
    main()
