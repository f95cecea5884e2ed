"""Write a preset from a trial's or run's ``config.json``: its model config whole, and the training
fields it tuned (those that differ from the defaults, except the split, seed, epoch cap, device and
training fraction, which belong to each run).

    python -m gsdrp.presets champion path/to/config.json
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from gsdrp.config import TrainConfig, configs_from_run, to_flat_dict
from gsdrp.presets import FOLDER

PER_RUN = ("split", "seed", "max_epochs", "device", "train_fraction")


def preset_values(config: dict) -> dict:
    _, model, train = configs_from_run(config)
    defaults = to_flat_dict(TrainConfig())
    tuned = {k: v for k, v in to_flat_dict(train).items() if k not in PER_RUN and v != defaults[k]}
    return {"model": to_flat_dict(model), "train": tuned}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("name", help="preset name (gsdrp/presets/<name>.json)")
    parser.add_argument("config", type=Path, help="a trial's or run's config.json")
    args = parser.parse_args(argv)
    target = FOLDER / f"{args.name}.json"
    target.write_text(json.dumps(preset_values(json.loads(args.config.read_text())), indent=2) + "\n")
    print(f"wrote {target}")


if __name__ == "__main__":
    main()
