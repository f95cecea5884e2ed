"""``gsdrp`` command line: parses arguments and calls the library, nothing more."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from gsdrp.benchmark import MODELS
from gsdrp.config import COLLECTIONS, SPLITS, VARIANTS, ModelConfig, TrainConfig
from gsdrp.data.flags import add_data_options, data_config
from gsdrp.data.prepare import DEFAULT_OUT
from gsdrp.data.raw import DataError


def cmd_data_prepare(args: argparse.Namespace) -> None:
    from gsdrp.data.prepare import prepare, read_summary
    from gsdrp.data.raw import resolve_raw_dir

    folder = prepare(data_config(args), resolve_raw_dir(args.raw), args.prepared, force=args.force)
    counts = read_summary(folder)["counts"]
    print(f"prepared {folder}: {counts['measurements']:,} measurements, {counts['pairs']:,} pairs, "
          f"{counts['cells']} cell lines, {counts['drugs']} drugs, {counts['genes']} genes")


def cmd_data_info(args: argparse.Namespace) -> None:
    from gsdrp.data.prepare import cache_dir, read_summary

    folder = cache_dir(data_config(args), args.prepared)
    if not (folder / "summary.json").is_file():
        raise DataError(f"no prepared data at {folder}: run `gsdrp data prepare` first")
    summary = read_summary(folder)
    if not args.full:
        summary["dropped"] = {kind: len(items) for kind, items in summary["dropped"].items()}
    print(json.dumps(summary, indent=2))


def cmd_data_fetch(args: argparse.Namespace) -> None:
    from gsdrp.data.fetch import fetch

    for line in fetch(Path(args.raw)):
        print("derive by hand:", line)


def _add_train_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--split", default="random", choices=SPLITS)
    parser.add_argument("--collection", default="hallmark", choices=COLLECTIONS)
    parser.add_argument("--max-epochs", type=int, default=TrainConfig.max_epochs)
    parser.add_argument("--patience", type=int, default=TrainConfig.patience)
    parser.add_argument("--batch-size", type=int, default=TrainConfig.batch_size)
    parser.add_argument("--lr", type=float, default=TrainConfig.lr)
    parser.add_argument("--train-fraction", type=float, default=1.0, help="subsample training pairs (quick runs)")
    parser.add_argument("--device", default="auto", help="auto (CUDA if present), cpu, cuda, cuda:1, ...")


def _train_config(args: argparse.Namespace, seed: int = 0) -> TrainConfig:
    return TrainConfig(
        split=args.split, collection=args.collection, seed=seed, max_epochs=args.max_epochs, patience=args.patience,
        batch_size=args.batch_size, lr=args.lr, train_fraction=args.train_fraction, device=args.device,
    )


def cmd_train(args: argparse.Namespace) -> None:
    from gsdrp.train.run import train_run

    model_config = ModelConfig(
        variant=args.variant, encoder=args.encoder, finetune_encoder=args.finetune, dim=args.dim, heads=args.heads,
        screen_covariate=not args.no_screen_covariate,
    )
    folder = train_run(
        data_config(args), model_config, _train_config(args, args.seed), Path(args.out), Path(args.prepared), args.raw
    )
    print(json.dumps(json.loads((folder / "metrics.json").read_text()), indent=2))
    print(f"run folder: {folder}")


def cmd_benchmark(args: argparse.Namespace) -> None:
    from gsdrp.benchmark import run_benchmark

    out = Path(args.out) / args.split
    run_benchmark(
        args.split, args.seeds, out, tuple(args.models), tuple(s == "on" for s in args.screen),
        _train_config(args), data_config(args), Path(args.prepared), args.raw,
    )
    print((out / "table.md").read_text())


def cmd_promote(args: argparse.Namespace) -> None:
    from gsdrp.tracking.registry import promote

    result = promote(args.experiment, force=args.force, model_name=args.model_name, alias=args.alias)
    print(f"best trial run {result.run_id}: validation RMSE {result.val_rmse:.4f} -> {args.model_name} version {result.version}")
    if result.promoted:
        print(f"alias {args.alias!r} now points to version {result.version}")
    else:
        print(f"alias {args.alias!r} unchanged: the current champion's validation RMSE {result.previous_champion_rmse:.4f} is not beaten (use --force)")


def cmd_predict(args: argparse.Namespace) -> None:
    import pandas as pd

    from gsdrp.tracking.registry import predict

    table = pd.read_csv(args.input)
    out = predict(args.model, table)
    out.to_csv(args.output, index=False)
    failed = out["error"].notna()
    print(f"wrote {args.output}: {int((~failed).sum())} predictions, {int(failed.sum())} rows with an error")
    for row in out[failed].head(10).itertuples():
        print(f"  row {row.Index}: {row.error}")


def cmd_explain(args: argparse.Namespace) -> None:
    from gsdrp.explain.report import explain

    report = explain(args.run, args.split_part, Path(args.out) if args.out else None, Path(args.prepared))
    print(report.read_text())
    print(f"outputs in {report.parent}")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="gsdrp", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    data = commands.add_parser("data", help="prepare and inspect the GDSC dataset").add_subparsers(
        dest="data_command", required=True
    )
    prepare = data.add_parser("prepare", help="build the parquet cache from the raw files")
    add_data_options(prepare)
    prepare.add_argument("--force", action="store_true", help="rebuild even if the cache exists")
    prepare.set_defaults(func=cmd_data_prepare)
    info = data.add_parser("info", help="print the prepared dataset's summary")
    add_data_options(info)
    info.add_argument("--full", action="store_true", help="list every dropped drug and cell line")
    info.set_defaults(func=cmd_data_info)
    fetch = data.add_parser("fetch", help="download raw files from their public origins (needs internet)")
    fetch.add_argument("--raw", required=True, help="folder to fill")
    fetch.set_defaults(func=cmd_data_fetch)

    train = commands.add_parser("train", help="train one GS-ChemDRP model; writes a run folder")
    add_data_options(train, cache_flag="--prepared")
    _add_train_options(train)
    train.add_argument("--variant", default="full", choices=list(VARIANTS))
    train.add_argument("--seed", type=int, default=0)
    train.add_argument("--encoder", default=ModelConfig.encoder, help="model folder, name under the models dir, or hub id")
    train.add_argument("--finetune", action="store_true", help="fine-tune the encoder end to end (GPU advised)")
    train.add_argument("--dim", type=int, default=ModelConfig.dim)
    train.add_argument("--heads", type=int, default=ModelConfig.heads)
    train.add_argument("--no-screen-covariate", action="store_true")
    train.add_argument("--out", default="runs", help="parent folder of the run folder")
    train.set_defaults(func=cmd_train)

    bench = commands.add_parser("benchmark", help="every model on one split, several seeds, one table")
    add_data_options(bench, cache_flag="--prepared")
    _add_train_options(bench)
    bench.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    bench.add_argument("--models", nargs="+", default=list(MODELS), choices=list(MODELS))
    bench.add_argument("--screen", nargs="+", default=["on", "off"], choices=["on", "off"])
    bench.add_argument("--out", default="benchmarks/results", help="results root (one folder per split)")
    bench.set_defaults(func=cmd_benchmark)

    promote = commands.add_parser("promote", help="register a sweep's best trial; move the alias if it wins")
    promote.add_argument("--experiment", required=True, help="MLflow experiment (the sweep's name)")
    promote.add_argument("--force", action="store_true", help="move the alias even if the champion is better")
    promote.add_argument("--model-name", default="gsdrp")
    promote.add_argument("--alias", default="champion")
    promote.set_defaults(func=cmd_promote)

    predict = commands.add_parser("predict", help="predict ln IC50 for (cell_line, smiles) rows with a registered model")
    predict.add_argument("--model", default="models:/gsdrp@champion")
    predict.add_argument("--input", required=True, help="CSV with columns cell_line, smiles (optional: screen)")
    predict.add_argument("--output", required=True)
    predict.set_defaults(func=cmd_predict)

    explain = commands.add_parser("explain", help="gates, attention and mechanism hit rate of a trained model")
    explain.add_argument("--run", required=True, help="a run folder of `gsdrp train`, or an MLflow trial run id")
    explain.add_argument("--split-part", default="test", choices=["train", "val", "test"])
    explain.add_argument("--out", help="output folder (default: <run>/explain-<part>)")
    explain.add_argument("--prepared", default=str(DEFAULT_OUT), help="prepared cache root")
    explain.set_defaults(func=cmd_explain)
    return parser


def main(argv: list[str] | None = None) -> None:
    args = build_parser().parse_args(argv)
    try:
        args.func(args)
    except (DataError, ValueError, KeyError) as exc:
        sys.exit(f"gsdrp: error: {exc}")


if __name__ == "__main__":
    main()
