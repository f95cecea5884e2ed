"""The ``gsdrp`` command line: parse, check the inputs, call the library; see ``gsdrp --help``."""

from gsdrp.cli.app import main

__all__ = ["main"]
