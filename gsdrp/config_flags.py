"""Command-line flags generated from the typed configs: one ``--field-name`` per dataclass field.

Help text comes from each field's ``metadata["help"]`` and shows the field's default. Flags left
out keep their value from the base config (the defaults, or a ``config.json`` being rerun), so a
field added to a config gets its flag without touching any parser (fields of a type other than
bool, int, float, str or a ``Literal`` of strings are left to the config file).
"""

from __future__ import annotations

import argparse
import typing
from dataclasses import fields
from typing import Any, Literal, TypeVar

from gsdrp.config import replace

C = TypeVar("C")
PLAIN_TYPES = (bool, int, float, str)  # fields of other types are set through a config file only


def add_config_flags(
    parser: argparse.ArgumentParser, cls: type, section: str, skip: tuple[str, ...] = (),
    aliases: dict[str, tuple[str, ...]] | None = None,
) -> None:
    """One flag per field of ``cls`` (except ``skip``), stored as ``<section>.<field>`` only when given."""
    group = parser.add_argument_group(f"{section} options ({cls.__name__})")
    hints = typing.get_type_hints(cls)
    for f in fields(cls):
        kind = hints[f.name]
        if f.name in skip or not (kind in PLAIN_TYPES or typing.get_origin(kind) is Literal):
            continue
        options: dict[str, Any] = {
            "dest": f"{section}.{f.name}",
            "default": argparse.SUPPRESS,
            "help": f"{f.metadata.get('help', f.name)} (default: {_shown(f.default)})",
        }
        if kind is bool:
            options["action"] = argparse.BooleanOptionalAction
        elif typing.get_origin(kind) is Literal:
            options["choices"] = typing.get_args(kind)
        else:
            options.update(type=kind, metavar={int: "N", float: "X"}.get(kind, "TEXT"))
        flag = "--" + f.name.replace("_", "-")
        group.add_argument(flag, *(aliases or {}).get(f.name, ()), **options)


def config_from_args(cls: type[C], args: argparse.Namespace, section: str, base: C | None = None) -> C:
    """``base`` (default: ``cls()``) with the fields given on the command line replaced; validated by ``cls``."""
    given = {f.name: getattr(args, f"{section}.{f.name}") for f in fields(cls) if hasattr(args, f"{section}.{f.name}")}
    return replace(base if base is not None else cls(), **given)


def _shown(value: Any) -> str:
    return "on" if value is True else "off" if value is False else str(value)
