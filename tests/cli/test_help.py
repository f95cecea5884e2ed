"""Help and start-up: fast, complete (a description and default on every flag), and the docs'
command reference (docs/cli.md) is the one generated from the parser."""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import gsdrp
from gsdrp.cli.parser import HelpFormatter, build_parser
from gsdrp.cli.reference import commands, reference, shown_options
from gsdrp.config_flags import add_config_flags, config_from_args

CLI_PAGE = Path(__file__).resolve().parents[2] / "docs" / "cli.md"
GSDRP = Path(sys.executable).parent / "gsdrp"
HEAVY = ("torch", "pandas", "numpy", "mlflow", "ray", "transformers", "rdkit")


def test_help_answers_within_a_second_without_heavy_imports():
    probe = f"import sys, gsdrp.cli; print([m for m in {HEAVY!r} if m in sys.modules])"
    assert subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout.strip() == "[]"
    timings = []
    for _ in range(3):
        start = time.perf_counter()
        done = subprocess.run([str(GSDRP), "--help"], capture_output=True, text=True, check=True)
        timings.append(time.perf_counter() - start)
    assert "MLFLOW_TRACKING_URI" in done.stdout and "GSDRP_DEBUG" in done.stdout
    assert min(timings) < 1.0, timings


def test_version():
    done = subprocess.run([str(GSDRP), "--version"], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == f"gsdrp {gsdrp.__version__}"


def test_every_option_has_a_description_and_shows_its_default():
    formatter = HelpFormatter("gsdrp")
    for name, parser in commands(build_parser()):
        assert "example:" in parser.epilog and "environment:" in parser.epilog, name
        for action in (a for group in parser._action_groups for a in shown_options(group)):
            text = formatter._get_help_string(action)
            assert text and text != action.dest, (name, action.option_strings)
            has_default = action.default not in (None, False) or "(default:" in (action.help or "")
            assert not has_default or "(default:" in text, (name, action.option_strings, text)


def test_docs_command_reference_is_the_generated_one():
    assert CLI_PAGE.read_text() == reference(), "run 'python -m gsdrp.cli.reference > docs/cli.md'"


@dataclass(frozen=True)
class NewConfig:
    width: int = field(default=3, metadata={"help": "how wide"})
    mode: Literal["a", "b"] = "a"
    sizes: tuple[int, ...] = ()


def test_a_new_config_field_gets_its_flag_with_help_and_default():
    parser = argparse.ArgumentParser(formatter_class=HelpFormatter)
    add_config_flags(parser, NewConfig, "new")
    text = " ".join(parser.format_help().split())
    assert "--width N how wide (default: 3)" in text and "--mode {a,b}" in text and "--sizes" not in text
    base = NewConfig(mode="b", sizes=(1,))
    assert config_from_args(NewConfig, parser.parse_args(["--width", "5"]), "new", base) == NewConfig(5, "b", (1,))
