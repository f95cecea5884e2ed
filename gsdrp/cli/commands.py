"""One function per ``gsdrp`` command: check the inputs, call the library, print the outcome.

Heavy libraries (torch, pandas, MLflow) are imported inside the commands that need them.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from gsdrp.cli.paths import check_output_file, check_output_folder
from gsdrp.config import ConfigError, DataConfig, ModelConfig, TrainConfig, configs_from_run
from gsdrp.config_flags import config_from_args
from gsdrp.data.flags import data_config
from gsdrp.errors import UserError
from gsdrp.presets import preset_path

ERRORS_SHOWN = 10
AUTO_MODEL = "auto"


def data_prepare(args: argparse.Namespace) -> None:
    from gsdrp.data.prepare import prepare, read_summary
    from gsdrp.data.raw import resolve_raw_dir

    config = data_config(args)
    check_output_folder(Path(args.prepared), "--prepared")
    folder = prepare(config, resolve_raw_dir(args.raw), args.prepared, force=args.force)
    counts = read_summary(folder)["counts"]
    print(f"prepared {folder}: {counts['measurements']:,} measurements, {counts['pairs']:,} pairs, "
          f"{counts['cells']} cell lines, {counts['drugs']} drugs, {counts['genes']} genes")


def data_info(args: argparse.Namespace) -> None:
    from gsdrp.data.prepare import cache_dir, read_summary

    folder = cache_dir(data_config(args), args.prepared)
    if not (folder / "summary.json").is_file():
        raise UserError(f"no prepared data at {folder}: run `gsdrp data prepare` first")
    summary = read_summary(folder)
    if not args.full:
        summary["dropped"] = {kind: len(items) for kind, items in summary["dropped"].items()}
    print(json.dumps(summary, indent=2))


def data_fetch(args: argparse.Namespace) -> None:
    from gsdrp.data.fetch import fetch

    raw = Path(args.raw)
    check_output_folder(raw, "--raw")
    for line in fetch(raw, overwrite=args.overwrite, mirror=args.mirror):
        print(line, flush=True)


def train_configs(args: argparse.Namespace) -> tuple[DataConfig, ModelConfig, TrainConfig]:
    """The configs of ``--config`` or ``--preset`` (else the defaults) with the flags given on the command line applied."""
    source = Path(args.config) if args.config else preset_path(args.preset) if args.preset else None
    data, model, train_config = configs_from_run(_read_json(source, "--config")) if source else (None,) * 3
    return (
        data_config(args, data),
        config_from_args(ModelConfig, args, "model", model),
        config_from_args(TrainConfig, args, "train", train_config),
    )


def train(args: argparse.Namespace) -> None:
    data, model, train_config = train_configs(args)
    check_output_folder(Path(args.runs), "--runs")
    from gsdrp.train.run import train_run

    folder = train_run(data, model, train_config, Path(args.runs), Path(args.prepared), args.raw)
    print(json.dumps(json.loads((folder / "metrics.json").read_text()), indent=2))
    print(f"run folder: {folder}")


def benchmark(args: argparse.Namespace) -> None:
    train_config = config_from_args(TrainConfig, args, "train")
    data = data_config(args)
    out = Path(args.results) / train_config.split
    check_output_folder(out, "--results")
    from gsdrp.benchmark import run_benchmark
    from gsdrp.zoo import MODELS

    run_benchmark(
        train_config.split, args.seeds, out, tuple(args.models or MODELS), tuple(s == "on" for s in args.screen),
        train_config, data, Path(args.prepared), args.raw,
    )
    print((out / "table.md").read_text())


def promote(args: argparse.Namespace) -> None:
    from gsdrp.tracking.registry import promote as promote_best

    result = promote_best(args.experiment, force=args.force, model_name=args.model_name, alias=args.alias)
    print(f"best trial run {result.run_id}: validation RMSE {result.val_rmse:.4f} -> {args.model_name} version {result.version}")
    if result.already_champion:
        print(f"alias {args.alias!r} already points to version {result.version}: nothing to change")
    elif result.promoted:
        print(f"alias {args.alias!r} now points to version {result.version}")
    else:
        print(f"alias {args.alias!r} unchanged: the current one's validation RMSE {result.previous_champion_rmse:.4f} "
              "is lower (use --force to move it anyway)")


def predict(args: argparse.Namespace) -> None:
    from gsdrp.data.prediction_input import read_pairs
    from gsdrp.data.profiles import read_profiles

    output = Path(args.output)
    table = read_pairs(Path(args.input))
    profiles = read_profiles(Path(args.expression)) if args.expression else None
    check_output_file(output, "--output")
    from gsdrp.tracking.routing import load_with_profiles, predict_routed

    if args.model == AUTO_MODEL:
        out, filled = predict_routed(table, profiles)
    else:
        model, filled = load_with_profiles(args.model, profiles)
        out = model.predict(table)
    out.to_csv(output, index=False)
    failed = out["error"].notna()
    print(f"wrote {output}: {int((~failed).sum())} predictions, {int(failed.sum())} rows with an error")
    if filled:
        print(f"  --expression lacked {len(filled)} of the model's genes, filled with the training cell lines' mean (Entrez IDs): "
              + ", ".join(filled[:ERRORS_SHOWN]) + (" ..." if len(filled) > ERRORS_SHOWN else ""))
    if "route" in out:
        for (model, route), rows in out.groupby(["model", "route"]).groups.items():
            print(f"  {len(rows)} rows by {model}: {route}")
    for line, error in out.loc[failed, "error"].head(ERRORS_SHOWN).items():
        print(f"  line {line}: {error}")
    if failed.sum() > ERRORS_SHOWN:
        print(f"  ... and {int(failed.sum()) - ERRORS_SHOWN} more (column 'error' of {output})")


def explain(args: argparse.Namespace) -> None:
    output = Path(args.output_dir) if args.output_dir else None
    if output is not None:
        check_output_folder(output, "--output-dir")
    from gsdrp.explain.report import check_run, explain as explain_run

    check_run(args.run)
    report = explain_run(args.run, args.split_part, output, Path(args.prepared))
    print(report.read_text())
    print(f"outputs in {report.parent}")


def _read_json(path: Path, flag: str) -> dict:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UserError(f"{flag} {path} does not exist") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ConfigError(f"{flag} {path} is not a readable JSON file: {exc}") from None
