"""Run one ``gsdrp`` command; a problem the user can fix is printed as one line, a bug keeps its traceback."""

from __future__ import annotations

import os
import sys

from gsdrp.cli.parser import build_parser
from gsdrp.errors import UserError

ENV_DEBUG = "GSDRP_DEBUG"


def main(argv: list[str] | None = None) -> None:
    args = build_parser().parse_args(argv)
    try:
        args.func(args)
    except Exception as exc:
        message = user_message(exc)
        if message is None or args.debug or os.environ.get(ENV_DEBUG, "") not in ("", "0"):
            raise
        sys.exit(f"{args.prog}: error: {message}")


def user_message(exc: BaseException) -> str | None:
    """One line for errors a user causes (gsdrp's own, MLflow's "not found", a tracking server's refusal);
    ``None`` for anything else."""
    if isinstance(exc, UserError):
        return " ".join(str(exc).split())
    if "mlflow" in sys.modules:
        from mlflow.exceptions import MlflowException

        from gsdrp.tracking.access import refusal
        from gsdrp.tracking.lookup import not_found

        if isinstance(exc, MlflowException) and not_found(exc):
            return " ".join(exc.message.split())
        return refusal(exc)
    return None
