"""The command-line flags every sweep script shares, parsed into ``SweepOptions``."""

from __future__ import annotations

import argparse

from gsdrp.config import SPLITS, ConfigError, TrainConfig
from gsdrp.data.flags import add_data_options, data_config
from gsdrp.tune.runner import SweepOptions
from gsdrp.tune.space import pinned


def parse_options(argv: list[str] | None, description: str, **defaults) -> SweepOptions:
    """Flags for ``SweepOptions``; ``defaults`` are the calling sweep's own defaults."""
    base = SweepOptions(**{"name": "sweep", **defaults})
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--name", default=base.name, help="Tune experiment and MLflow experiment name")
    parser.add_argument("--num-samples", type=int, default=base.num_samples, help="trials (per grid point for grids)")
    parser.add_argument("--max-concurrent", type=int, default=base.max_concurrent)
    parser.add_argument("--cpus-per-trial", type=float, default=base.cpus_per_trial)
    parser.add_argument("--gpus-per-trial", type=float, default=base.gpus_per_trial, help="fractions allowed, e.g. 0.5")
    parser.add_argument("--storage", default=base.storage, help="trial results and checkpoints (shared storage on clusters)")
    parser.add_argument("--split", default=base.split, choices=SPLITS)
    parser.add_argument("--max-epochs", type=int, default=base.max_epochs)
    parser.add_argument("--max-failures", type=int, default=base.max_failures, help="retries per failing trial")
    parser.add_argument("--seed", type=int, default=base.seed, help="search seed")
    parser.add_argument(
        "--fix", action="append", default=[], metavar="KEY=VALUE",
        help="pin one dimension of the search space, e.g. --fix model.dim=64 (repeatable)",
    )
    add_data_options(parser)
    parser.add_argument("--resume", action="store_true", help="continue the sweep stored under --storage/--name")
    args = parser.parse_args(argv)
    try:  # the trials' own configs refuse these values; refuse them before any trial starts
        TrainConfig(split=args.split, max_epochs=args.max_epochs)
        data = data_config(args)
        fixed = pinned(args.fix)
    except ConfigError as exc:
        parser.error(str(exc))
    return SweepOptions(
        name=args.name, num_samples=args.num_samples, max_concurrent=args.max_concurrent,
        cpus_per_trial=args.cpus_per_trial, gpus_per_trial=args.gpus_per_trial, storage=args.storage,
        split=args.split, max_epochs=args.max_epochs, grace_period=base.grace_period, max_failures=args.max_failures,
        search=base.search, resume=args.resume, seed=args.seed, data=data, prepared=args.prepared,
        raw=args.raw, fixed=tuple(fixed.items()),
    )
