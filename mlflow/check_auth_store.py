"""Refuse an account store in which an account other than the configured admin still has the admin password
that older MLflow versions shipped (public). MLflow itself replaces the configured admin's, at start-up and
before the first request; another holder it would only warn about. Run by serve.sh before the server starts
(see docs/security.md); needs only MLflow.

    python mlflow/check_auth_store.py DATABASE_URI ADMIN_USERNAME
"""

from __future__ import annotations

import logging
import sys
import warnings

warnings.filterwarnings("ignore")  # MLflow's import-time deprecation notes: the refusal stays one line
from mlflow.server.auth.sqlalchemy_store import SqlAlchemyStore  # noqa: E402

logging.getLogger("mlflow").setLevel(logging.WARNING)

OLD_DEFAULT_PASSWORD = "password1234"


def exposed_accounts(database_uri: str, admin: str) -> list[str]:
    store = SqlAlchemyStore()
    store.init_db(database_uri)
    return [
        user.username for user in store.list_users()
        if user.username != admin and store.authenticate_user(user.username, OLD_DEFAULT_PASSWORD)
    ]


if __name__ == "__main__":
    exposed = exposed_accounts(*sys.argv[1:3])
    if exposed:
        sys.exit(
            f"mlflow/serve.sh: refusing to start: account {', '.join(exposed)} still has MLflow's old public default "
            "password; start once with MLFLOW_AUTH_ADMIN_USERNAME set to it and a new admin password, which MLflow "
            "then puts in its place (see docs/security.md)"
        )
