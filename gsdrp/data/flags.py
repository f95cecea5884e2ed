"""The command-line flags that choose the data (a ``DataConfig`` and where it lives), shared by ``gsdrp`` and ``sweeps/``."""

from __future__ import annotations

import argparse

from gsdrp.config import DataConfig
from gsdrp.config_flags import add_config_flags, config_from_args
from gsdrp.paths import DEFAULT_PREPARED, ENV_PREPARED

SECTION = "data"


def add_data_options(parser: argparse.ArgumentParser) -> None:
    """``--raw``, ``--prepared`` (the prepared-cache root) and one flag per ``DataConfig`` field."""
    parser.add_argument("--raw", metavar="DIR", help="raw data folder, read only to build a missing cache "
                        "(default: $GSDRP_RAW_DATA, else ../shared/data)")
    parser.add_argument("--prepared", metavar="DIR", default=str(DEFAULT_PREPARED),
                        help=f"root of the prepared caches (${ENV_PREPARED} changes the default)")
    add_config_flags(parser, DataConfig, SECTION)


def data_config(args: argparse.Namespace, base: DataConfig | None = None) -> DataConfig:
    return config_from_args(DataConfig, args, SECTION, base)
