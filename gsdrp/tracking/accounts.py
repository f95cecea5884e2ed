"""The accounts of a shared, authenticated tracking server (docs/security.md): one for trials, one for maintainers.

Trials get EDIT on each sweep's experiment and READ on the registered model: they log runs and models and may
use the champion, never move it. Maintainers get MANAGE on the registered model, to promote, and EDIT on the
experiments: registering a trial's model tags it with the new version. Run as the server's admin (its name
and password in ``MLFLOW_TRACKING_USERNAME`` / ``MLFLOW_TRACKING_PASSWORD``); it creates what is missing, so
running it again is harmless:

    python -m gsdrp.tracking.accounts --experiment smoke --experiment full

Each account's password is read from ``SECRETS/<account>.password``; a missing file is first filled with a random
password (mode 0600). Rotating one: replace or delete the file, run the command again.
"""

from __future__ import annotations

import argparse
import os
import secrets
from pathlib import Path

from mlflow.exceptions import MlflowException
from mlflow.server import get_app_client

from gsdrp.tracking.access import refusal
from gsdrp.tracking.registry import MODEL_NAME
from gsdrp.tracking.store import experiment_id, tracking_uri, use_tracking

TRIALS, MAINTAINER = "gsdrp-trials", "gsdrp-maintainer"
DEFAULT_SECRETS = Path.home() / ".gsdrp" / "mlflow"


def password(file: Path) -> str:
    """The password kept in ``file``; a random one, written private, if there is none yet."""
    if not file.is_file():
        file.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        descriptor = os.open(file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as out:
            out.write(secrets.token_urlsafe(24))
    return file.read_text().strip()


def set_up(
    experiments: list[str], secrets_dir: Path = DEFAULT_SECRETS, model_name: str = MODEL_NAME,
    trials: str = TRIALS, maintainer: str = MAINTAINER,
) -> None:
    """Create or update both accounts with their files' passwords, the registered model and the experiments,
    and grant each account its permissions."""
    uri = tracking_uri()
    auth = get_app_client("basic-auth", tracking_uri=uri)
    for account in (trials, maintainer):
        secret = password(secrets_dir / f"{account}.password")
        try:
            auth.create_user(account, secret)
        except MlflowException as exc:
            if exc.error_code != "RESOURCE_ALREADY_EXISTS":
                raise
            auth.update_user_password(account, secret)
    client = use_tracking(uri)
    try:
        client.create_registered_model(model_name)  # by the admin: no account becomes its owner by promoting first
    except MlflowException as exc:
        if exc.error_code != "RESOURCE_ALREADY_EXISTS":
            raise
    grant(auth, trials, "registered_model", model_name, "READ")
    grant(auth, maintainer, "registered_model", model_name, "MANAGE")
    for name in experiments:
        found = experiment_id(client, name)
        grant(auth, trials, "experiment", found, "EDIT")
        grant(auth, maintainer, "experiment", found, "EDIT")


def grant(auth, user: str, resource_type: str, resource_id: str, permission: str) -> None:
    """Give ``user`` exactly ``permission`` on the resource, replacing an earlier grant."""
    try:
        auth.grant_user_permission(user, resource_type, resource_id, permission)
    except MlflowException as exc:
        if exc.error_code != "RESOURCE_ALREADY_EXISTS":
            raise
        auth.revoke_user_permission(user, resource_type, resource_id)
        auth.grant_user_permission(user, resource_type, resource_id, permission)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--experiment", action="append", default=[], metavar="NAME",
                        help="a sweep's experiment (its --name) that trials log to (repeatable)")
    parser.add_argument("--secrets", type=Path, default=DEFAULT_SECRETS, help="folder of the <account>.password files")
    parser.add_argument("--model-name", default=MODEL_NAME, help="registered model whose alias maintainers move")
    parser.add_argument("--trials", default=TRIALS, help="the trial account's name")
    parser.add_argument("--maintainer", default=MAINTAINER, help="the maintainer account's name")
    args = parser.parse_args(argv)
    try:
        set_up(args.experiment, args.secrets, args.model_name, args.trials, args.maintainer)
    except MlflowException as exc:
        if (line := refusal(exc)) is None:
            raise
        raise SystemExit(f"{parser.prog}: error: {line}") from None
    print(f"accounts {args.trials} and {args.maintainer} ready at {tracking_uri()}; passwords in {args.secrets}")


if __name__ == "__main__":
    main()
