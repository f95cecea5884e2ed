"""The command-line flags that choose the data (a ``DataConfig`` and where it lives), shared by ``gsdrp`` and ``sweeps/``."""

from __future__ import annotations

import argparse

from gsdrp.config import EXPRESSION_SOURCES, GENE_UNIVERSES, REPLICATE_MODES, DataConfig
from gsdrp.data.prepare import DEFAULT_OUT


def add_data_options(parser: argparse.ArgumentParser, cache_flag: str = "--out") -> None:
    """``--raw``, the prepared-cache root (named ``cache_flag``, stored as ``prepared``) and the DataConfig fields."""
    parser.add_argument("--raw", help="raw data folder (default: $GSDRP_RAW_DATA, else ../shared/data)")
    parser.add_argument(cache_flag, dest="prepared", default=str(DEFAULT_OUT), help="prepared cache root")
    parser.add_argument("--expression", default=DataConfig.expression, choices=EXPRESSION_SOURCES)
    parser.add_argument("--genes", default=DataConfig.genes, choices=GENE_UNIVERSES)
    parser.add_argument("--replicates", default=DataConfig.replicates, choices=REPLICATE_MODES)
    parser.add_argument("--split-seed", type=int, default=DataConfig.split_seed)


def data_config(args: argparse.Namespace) -> DataConfig:
    return DataConfig(expression=args.expression, genes=args.genes, replicates=args.replicates, split_seed=args.split_seed)

