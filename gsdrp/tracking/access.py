"""Refusals of an authenticated tracking server (docs/security.md), each as one line naming the fix.

Credentials are MLflow's own: ``MLFLOW_TRACKING_USERNAME`` / ``MLFLOW_TRACKING_PASSWORD`` in the
environment, else ``~/.mlflow/credentials``; gsdrp never stores them.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from mlflow.exceptions import MlflowException
from mlflow.utils.credentials import read_mlflow_creds

from gsdrp.errors import UserError
from gsdrp.tracking.store import tracking_uri

CREDENTIALS = "MLFLOW_TRACKING_USERNAME and MLFLOW_TRACKING_PASSWORD (or ~/.mlflow/credentials)"


def unauthenticated(exc: BaseException) -> bool:
    return isinstance(exc, MlflowException) and exc.error_code == "UNAUTHENTICATED"


def permission_denied(exc: BaseException) -> bool:
    return isinstance(exc, MlflowException) and exc.error_code == "PERMISSION_DENIED"


def refusal(exc: BaseException) -> str | None:
    """The line for a request the server refused (wrong or missing credentials, missing permission); else ``None``."""
    user = read_mlflow_creds().username
    if unauthenticated(exc):
        if user is None:
            return f"the MLflow server at {tracking_uri()} requires a user name and password: set {CREDENTIALS}"
        return (f"the MLflow server at {tracking_uri()} did not accept the credentials of user {user!r} "
                f"(wrong user name or password): check {CREDENTIALS}")
    if permission_denied(exc):
        return f"user {user!r} may not do this on the MLflow server at {tracking_uri()}: ask its admin for access"
    return None


@contextmanager
def refused_as(action: str) -> Iterator[None]:
    """A "permission denied" inside becomes the one line "not allowed to ACTION: ask a maintainer"."""
    try:
        yield
    except MlflowException as exc:
        if permission_denied(exc):
            user = read_mlflow_creds().username
            raise UserError(f"not allowed to {action}: ask a maintainer (user {user!r} at {tracking_uri()})") from None
        raise
