"""The argument parser of every ``gsdrp`` command: flags with defaults and help, an example and the
environment per command. Imports only light modules, so ``gsdrp --help`` answers at once."""

from __future__ import annotations

import argparse
import os
import sys

import gsdrp
from gsdrp.cli import commands
from gsdrp.config import ModelConfig, TrainConfig
from gsdrp.config_flags import add_config_flags
from gsdrp.data.flags import add_data_options
from gsdrp.paths import DEFAULT_PREPARED
from gsdrp.presets import PRESETS

DATA_ENV = "GSDRP_RAW_DATA (raw data folder), GSDRP_PREPARED (prepared-cache root)"
MODEL_ENV = "GSDRP_MODELS (drug encoder folders), GSDRP_EMBEDDINGS (drug embedding cache)"
TRACKING_ENV = "MLFLOW_TRACKING_URI (tracking store; default: sqlite mlflow/mlflow.db in the checkout)"
DEBUG_ENV = "GSDRP_DEBUG=1 (or --debug): show the traceback of an error"
DESCRIPTION = """GS-ChemDRP drug-response prediction: prepare the GDSC data, train, benchmark, promote a
sweep's best trial, predict ln IC50 for (cell line, SMILES) pairs, explain a trained model.
Sweeps are scripts: python sweeps/smoke.py (make sweep), sweeps/full.py, sweeps/ablation.py."""


class HelpFormatter(argparse.RawDescriptionHelpFormatter):
    """Keeps epilog line breaks; appends ``(default: ...)`` to every option that has a default."""

    def _get_help_string(self, action: argparse.Action) -> str:
        text = action.help or ""
        shown = action.default not in (None, False, argparse.SUPPRESS) and action.option_strings
        if shown and "(default" not in text and not isinstance(action, argparse._VersionAction):
            default = " ".join(map(str, action.default)) if isinstance(action.default, list) else action.default
            text += f" (default: {default})"
        return text


class Parser(argparse.ArgumentParser):
    """Usage mistakes end in one line that points at ``--help``, not in the whole usage block."""

    def error(self, message: str):
        self.exit(2, f"{self.prog}: error: {message} (see '{self.prog} --help')\n")


class Renamed(argparse.Action):
    """An old flag spelling: still accepted, with a note naming the new one."""

    def __init__(self, option_strings, dest, new: str, **kwargs):
        super().__init__(option_strings, dest, help=argparse.SUPPRESS, **kwargs)
        self.new = new

    def __call__(self, parser, namespace, values, option_string=None):
        print(f"gsdrp: note: {option_string} is now {self.new}", file=sys.stderr)
        setattr(namespace, self.dest, values)


class BenchmarkModels:
    """The model zoo's names, imported only when a benchmark command needs them."""

    def _names(self) -> tuple[str, ...]:
        from gsdrp.zoo import MODELS

        return MODELS

    def __contains__(self, name: object) -> bool:
        return name in self._names()

    def __iter__(self):
        return iter(self._names())


def epilog(example: str, *env: str) -> str:
    lines = ["example:", f"  {example}", "", "environment:", *(f"  {e}" for e in (*env, DEBUG_ENV))]
    return "\n".join(lines)


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(
        prog="gsdrp", description=DESCRIPTION, formatter_class=HelpFormatter,
        epilog=epilog("gsdrp data prepare && gsdrp train --max-epochs 5", DATA_ENV, MODEL_ENV, TRACKING_ENV),
    )
    parser.add_argument("--version", action="version", version=f"gsdrp {gsdrp.__version__}")
    parser.add_argument("--debug", action="store_true", help="show the full traceback of an error")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(parent, name: str, func, summary: str, example: str, *env: str) -> argparse.ArgumentParser:
        new = parent.add_parser(name, help=summary, description=summary, formatter_class=HelpFormatter,
                                epilog=epilog(example, *env))
        new.set_defaults(func=func, prog=new.prog)
        new.add_argument("--debug", action="store_true", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
        return new

    data = sub.add_parser("data", help="prepare, inspect or fetch the GDSC dataset", formatter_class=HelpFormatter)
    data_sub = data.add_subparsers(dest="data_command", required=True, metavar="DATA_COMMAND")
    prepare = command(data_sub, "prepare", commands.data_prepare, "build the prepared parquet cache from the raw files",
                      "gsdrp data prepare --genes all", DATA_ENV)
    add_data_options(prepare)
    prepare.add_argument("--out", dest="prepared", action=Renamed, new="--prepared")
    prepare.add_argument("--force", action="store_true", help="rebuild even if the cache exists")
    info = command(data_sub, "info", commands.data_info, "print the prepared dataset's summary (JSON)",
                   "gsdrp data info --full", DATA_ENV)
    add_data_options(info)
    info.add_argument("--out", dest="prepared", action=Renamed, new="--prepared")
    info.add_argument("--full", action="store_true", help="list every dropped drug and cell line")
    fetch = command(data_sub, "fetch", commands.data_fetch, "download the raw files from their public origins",
                    "gsdrp data fetch --raw ~/gdsc-raw --mirror https://lab.example.org/gdsc",
                    "GSDRP_FETCH_MIRROR (default of --mirror)")
    fetch.add_argument("--raw", metavar="DIR", required=True, help="raw data folder to fill")
    fetch.add_argument("--overwrite", action="store_true", help="download files that are already there again")
    fetch.add_argument("--mirror", metavar="URL", default=os.environ.get("GSDRP_FETCH_MIRROR"),
                       help="a mirror holding every file: public ones as URL/HOST/PATH, derived ones as URL/raw/PATH")

    train = command(sub, "train", commands.train, "train one GS-ChemDRP model and write its run folder",
                    "gsdrp train --config runs/full-random-seed0/config.json --max-epochs 50 --device cuda",
                    DATA_ENV, MODEL_ENV)
    origin = train.add_mutually_exclusive_group()
    origin.add_argument("--config", metavar="FILE", help="a run's or trial's config.json to retrain; flags given override it")
    origin.add_argument("--preset", choices=PRESETS, help="a configuration shipped with gsdrp (champion: the sweep winner "
                        "in docs/sweeps.md); flags given override it")
    train.add_argument("--runs", metavar="DIR", default="runs", help="parent folder of the run folder "
                       "(<variant>-<split>-seed<seed>)")
    train.add_argument("--out", dest="runs", action=Renamed, new="--runs")
    add_data_options(train)
    add_config_flags(train, ModelConfig, "model", aliases={"finetune_encoder": ("--finetune",)})
    add_config_flags(train, TrainConfig, "train")

    bench = command(sub, "benchmark", commands.benchmark, "fit every model on one split and seeds; write one table",
                    "gsdrp benchmark --split cell_blind --seeds 0 --models naive_mean_effects xgboost gs_chemdrp_full",
                    DATA_ENV, MODEL_ENV)
    bench.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2], metavar="SEED", help="one fit per seed")
    bench.add_argument("--models", nargs="+", choices=BenchmarkModels(), metavar="MODEL",
                       help="models to fit (default: all): %(choices)s")
    bench.add_argument("--screen", nargs="+", default=["on", "off"], choices=["on", "off"],
                       help="with and/or without the screen covariate")
    bench.add_argument("--results", metavar="DIR", default="benchmarks/results", help="results root (one folder per split)")
    bench.add_argument("--out", dest="results", action=Renamed, new="--results")
    add_data_options(bench)
    add_config_flags(bench, TrainConfig, "train", skip=("seed",))

    promote = command(sub, "promote", commands.promote,
                      "register a sweep's best completed trial; move the alias if it beats the current one",
                      "gsdrp promote --experiment smoke", TRACKING_ENV)
    promote.add_argument("--experiment", required=True, help="MLflow experiment: the sweep's --name")
    promote.add_argument("--force", action="store_true", help="move the alias even if the current one is better")
    promote.add_argument("--model-name", default="gsdrp", help="registered model name")
    promote.add_argument("--alias", default="champion", help="alias to move")

    predict = command(sub, "predict", commands.predict, "predict ln IC50 for (cell_line, smiles) rows of a CSV file",
                      "gsdrp predict --input pairs.csv --output preds.csv", TRACKING_ENV, MODEL_ENV)
    predict.add_argument("--model", default="auto",
                         help="auto: per pair, models:/gsdrp@champion if it was trained on the cell line and drug, "
                              "else @drug_blind for a new drug or @cell_blind for a new cell line (columns model and route say which "
                              "and why); or one model: models:/NAME@ALIAS, models:/NAME/VERSION, runs:/RUN_ID/model or a model folder")
    predict.add_argument("--input", metavar="FILE", required=True,
                         help="UTF-8 CSV with columns cell_line, smiles and optionally screen (GDSC1/GDSC2, blank: GDSC2)")
    predict.add_argument("--expression", metavar="FILE",
                         help="your own cell lines: CSV with a cell_line column and one column per gene (Entrez ID or symbol), "
                              "log expression such as log2(TPM + 1); their names can then be used in --input (docs/sweeps.md)")
    predict.add_argument("--output", metavar="FILE", required=True,
                         help="CSV to write: the input columns plus prediction (ln IC50, µM) and error")

    explain = command(sub, "explain", commands.explain, "gates, attention and mechanism hit rate of a trained model",
                      "gsdrp explain --run runs/full-random-seed0", TRACKING_ENV, DATA_ENV)
    explain.add_argument("--run", required=True, help="a run folder of 'gsdrp train', or a completed sweep trial's MLflow run id")
    explain.add_argument("--split-part", default="test", choices=["train", "val", "test"], help="samples to explain")
    explain.add_argument("--output-dir", metavar="DIR",
                         help="output folder (default: <run>/explain-<part>, or runs/explain-<run id>-<part>)")
    explain.add_argument("--out", dest="output_dir", action=Renamed, new="--output-dir")
    explain.add_argument("--prepared", metavar="DIR", default=str(DEFAULT_PREPARED), help="root of the prepared caches")
    return parser
