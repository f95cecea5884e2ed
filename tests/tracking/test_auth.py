"""A shared tracking server with authentication (docs/security.md), started by mlflow/serve.sh on 127.0.0.1:
who gets in, what each account may do, a real sweep through it that leaks no secret, and what serve.sh refuses."""

from __future__ import annotations

import base64
import os
import shutil
import subprocess
import sys
import tempfile
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest
from mlflow import MlflowClient
from mlflow.server.auth.sqlalchemy_store import SqlAlchemyStore

from gsdrp.tracking.accounts import MAINTAINER, TRIALS, password, set_up
from gsdrp.tracking.registry import ALIAS, MODEL_NAME
from gsdrp.tracking.server import SERVE_SCRIPT, ServeScript
from gsdrp.tracking.store import KIND, OUTCOME
from tests.cli.conftest import run_cli
from tests.cli.test_mistakes import one_line_error
from tests.conftest import smoke_command, sweep_env

pytestmark = pytest.mark.slow
OLD_DEFAULT = "password1234"  # the admin password that older MLflow versions shipped
SEARCH = "/api/2.0/mlflow/experiments/search?max_results=1"
AUTH_SETTINGS = (
    "MLFLOW_AUTH_ADMIN_PASSWORD", "MLFLOW_AUTH_ADMIN_PASSWORD_FILE", "MLFLOW_AUTH_ADMIN_USERNAME",
    "MLFLOW_FLASK_SERVER_SECRET_KEY", "MLFLOW_FLASK_SERVER_SECRET_KEY_FILE", "MLFLOW_AUTH_DATABASE_URI",
)


@dataclass(frozen=True)
class AuthServer:
    url: str
    admin_password: str
    secret_key: str
    folder: Path

    @property
    def secrets(self) -> Path:
        """Where the accounts' password files go."""
        return self.folder / "secrets"


def status(url: str, user: str | None = None, secret: str | None = None) -> int:
    request = urllib.request.Request(url)
    if user is not None:
        request.add_header("Authorization", "Basic " + base64.b64encode(f"{user}:{secret}".encode()).decode())
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


def operator_env() -> dict[str, str]:
    """This process's environment without any authentication setting of its own."""
    return {k: v for k, v in os.environ.items() if k not in AUTH_SETTINGS}


def write_secret(path: Path, value: str) -> Path:
    path.write_text(value + "\n")
    path.chmod(0o600)
    return path


def legacy_store(uri: str, username: str = "admin") -> None:
    """An account store as an older MLflow left it: ``username`` an admin with the public default password."""
    store = SqlAlchemyStore()
    store.init_db(uri)
    store.create_user(username, OLD_DEFAULT, is_admin=True)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """An upgraded deployment: its admin still has the old default password; the operator's admin password and
    secret key come from files."""
    folder = tmp_path_factory.mktemp("auth-server")
    legacy_store(f"sqlite:///{folder / 'basic_auth.db'}")
    admin_password, secret_key = "admin-" + os.urandom(12).hex(), os.urandom(24).hex()
    env = {
        "MLFLOW_AUTH_DIR": str(folder),
        "MLFLOW_AUTH_ADMIN_PASSWORD_FILE": str(write_secret(folder / "admin.password", admin_password)),
        "MLFLOW_FLASK_SERVER_SECRET_KEY_FILE": str(write_secret(folder / "secret.key", secret_key)),
    }
    backend = f"sqlite:///{folder / 'mlflow.db'}"
    with ServeScript(backend, folder / "artifacts", env, workers=1, log=folder / "server.log") as running:
        yield AuthServer(running.url, admin_password, secret_key, folder)


def test_anonymous_requests_and_the_old_default_password_are_refused(server):
    assert status(server.url + SEARCH) == 401
    assert status(server.url + SEARCH, "admin", OLD_DEFAULT) == 401
    assert status(server.url + SEARCH, "admin", server.admin_password) == 200


def use_account(monkeypatch, user: str, secret: str) -> None:
    monkeypatch.setenv("MLFLOW_TRACKING_USERNAME", user)
    monkeypatch.setenv("MLFLOW_TRACKING_PASSWORD", secret)


def files_containing(folder: Path, secrets: list[str]) -> list[Path]:
    """Every file under ``folder`` that holds one of ``secrets``."""
    files = (p for p in folder.rglob("*") if p.is_file() and not p.is_symlink())
    return [p for p in files if any(s.encode() in p.read_bytes() for s in secrets)]


def test_a_sweep_logs_as_trials_and_only_the_maintainer_moves_the_champion(
    server, prepared_root, tmp_path, monkeypatch, capsys,
):
    monkeypatch.setenv("MLFLOW_TRACKING_URI", server.url)
    use_account(monkeypatch, "admin", server.admin_password)
    set_up(["smoke"], server.secrets)
    trials, maintainer = (password(server.secrets / f"{name}.password") for name in (TRIALS, MAINTAINER))
    secrets = [server.admin_password, server.secret_key, trials, maintainer]
    admin = MlflowClient(server.url)

    # The sweep's driver and trials hold only the trial account's credentials, so every run is logged with it.
    ray_temp = Path(tempfile.mkdtemp(prefix="gsdrp-ray-"))  # short: Ray's socket paths live under it
    try:
        env = sweep_env(server.url, MLFLOW_TRACKING_USERNAME=TRIALS, MLFLOW_TRACKING_PASSWORD=trials,
                        RAY_TMPDIR=str(ray_temp))
        command = smoke_command(tmp_path / "ray", prepared_root, "--num-samples", "1", max_epochs=1)
        done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=900)
        assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
        assert any(ray_temp.rglob("*.log"))
        in_ray_logs = files_containing(ray_temp, secrets)
    finally:
        shutil.rmtree(ray_temp, ignore_errors=True)
    runs = admin.search_runs([admin.get_experiment_by_name("smoke").experiment_id])
    assert sorted(r.data.tags[KIND] for r in runs) == ["sweep", "trial"]
    assert all(r.info.status == "FINISHED" for r in runs)
    assert next(r for r in runs if r.data.tags[KIND] == "trial").data.tags[OUTCOME] == "completed"

    use_account(monkeypatch, TRIALS, trials)
    code, _, err = run_cli(["promote", "--experiment", "smoke"], capsys)
    one_line_error(code, err, f"not allowed to move models:/{MODEL_NAME}@{ALIAS}: ask a maintainer", TRIALS)
    assert admin.search_model_versions(f"name = '{MODEL_NAME}'") == []  # nothing half-written
    use_account(monkeypatch, TRIALS, "not-the-password")
    code, _, err = run_cli(["promote", "--experiment", "smoke"], capsys)
    one_line_error(code, err, f"did not accept the credentials of user '{TRIALS}'", "MLFLOW_TRACKING_PASSWORD")
    monkeypatch.delenv("MLFLOW_TRACKING_USERNAME")
    monkeypatch.delenv("MLFLOW_TRACKING_PASSWORD")
    code, _, err = run_cli(["promote", "--experiment", "smoke"], capsys)
    one_line_error(code, err, "requires a user name and password", "MLFLOW_TRACKING_USERNAME")

    use_account(monkeypatch, MAINTAINER, maintainer)
    code, out, err = run_cli(["promote", "--experiment", "smoke"], capsys)
    assert code == 0 and f"alias '{ALIAS}' now points to version 1" in out, out + err
    assert admin.get_model_version_by_alias(MODEL_NAME, ALIAS).version == "1"

    use_account(monkeypatch, TRIALS, trials)  # READ on the registry is enough to use the champion
    pairs, predictions = tmp_path / "pairs.csv", tmp_path / "predictions.csv"
    pd.DataFrame({"cell_line": ["A549"], "smiles": ["CC(=O)Nc1ccc(O)cc1"]}).to_csv(pairs, index=False)
    code, out, err = run_cli(["predict", "--input", str(pairs), "--output", str(predictions)], capsys)
    assert code == 0 and "1 predictions" in out, err

    # No secret in any param or tag, output or log of the sweep, nor in any file of the server (its store,
    # artifacts and log) but the operator's own secret files.
    for run in runs:
        recorded = " ".join([*run.data.params.values(), *run.data.tags.values()])
        assert not any(s in recorded for s in secrets), run.info.run_id
    assert not any(s in done.stdout + done.stderr for s in secrets)
    assert in_ray_logs == [] and files_containing(tmp_path / "ray", secrets) == []
    kept = {server.folder / "admin.password", server.folder / "secret.key", *server.secrets.iterdir()}
    assert set(files_containing(server.folder, secrets)) == kept


def test_a_rotated_password_replaces_the_old_one(server, monkeypatch):
    monkeypatch.setenv("MLFLOW_TRACKING_URI", server.url)
    use_account(monkeypatch, "admin", server.admin_password)
    set_up([], server.secrets)
    old = password(server.secrets / f"{TRIALS}.password")
    (server.secrets / f"{TRIALS}.password").unlink()
    set_up([], server.secrets)
    new = password(server.secrets / f"{TRIALS}.password")
    assert new != old
    assert status(server.url + SEARCH, TRIALS, old) == 401
    assert status(server.url + SEARCH, TRIALS, new) == 200


# --- what serve.sh refuses (a stand-in records whether the server would have started) ---------------------------

def serve(tmp_path: Path, **settings: str) -> subprocess.CompletedProcess:
    stand_in = tmp_path / "mlflow"
    stand_in.write_text('#!/bin/sh\necho "STARTED $*"\n')
    stand_in.chmod(0o755)
    env = {**operator_env(), "MLFLOW_BIN": str(stand_in), "MLFLOW_PYTHON": sys.executable,
           "MLFLOW_AUTH_DIR": str(tmp_path), **settings}
    return subprocess.run(["bash", str(SERVE_SCRIPT)], env=env, capture_output=True, text=True, timeout=120)


def refused(done: subprocess.CompletedProcess, *fragments: str) -> None:
    assert done.returncode == 1 and "STARTED" not in done.stdout, done.stdout + done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("mlflow/serve.sh: "), done.stderr
    for fragment in fragments:
        assert fragment in lines[0], lines[0]


def test_serve_sh_refuses_to_listen_beyond_loopback_without_authentication(tmp_path):
    refused(serve(tmp_path, MLFLOW_HOST="0.0.0.0"), "without authentication", "MLFLOW_AUTH_ADMIN_PASSWORD_FILE")
    assert "--app-name" not in serve(tmp_path, MLFLOW_HOST="127.0.0.1").stdout  # loopback alone: as before


def test_serve_sh_starts_the_authentication_app_beyond_loopback(tmp_path):
    done = serve(tmp_path, MLFLOW_HOST="10.1.2.3", MLFLOW_AUTH_ADMIN_PASSWORD="a-new-admin-password",
                 MLFLOW_FLASK_SERVER_SECRET_KEY="k" * 32)
    assert done.returncode == 0 and "STARTED server --app-name basic-auth --host 10.1.2.3" in done.stdout, done.stderr
    ini = tmp_path / "basic_auth.ini"
    assert "default_permission = NO_PERMISSIONS" in ini.read_text() and "a-new-admin-password" not in ini.read_text()
    assert ini.stat().st_mode & 0o077 == 0


def test_serve_sh_refuses_an_incomplete_or_known_secret(tmp_path):
    refused(serve(tmp_path, MLFLOW_AUTH_ADMIN_PASSWORD="a-new-admin-password"), "secret key")
    refused(serve(tmp_path, MLFLOW_AUTH_ADMIN_PASSWORD=OLD_DEFAULT, MLFLOW_FLASK_SERVER_SECRET_KEY="k" * 32),
            "old public default")
    refused(serve(tmp_path, MLFLOW_AUTH_ADMIN_PASSWORD_FILE=str(tmp_path / "missing")), "cannot be read")


def test_serve_sh_refuses_a_store_where_another_account_keeps_the_old_default(tmp_path):
    legacy_store(f"sqlite:///{tmp_path / 'basic_auth.db'}")
    done = serve(tmp_path, MLFLOW_AUTH_ADMIN_USERNAME="gsdrp-admin", MLFLOW_AUTH_ADMIN_PASSWORD="a-new-admin-password",
                 MLFLOW_FLASK_SERVER_SECRET_KEY="k" * 32)
    refused(done, "account admin still has MLflow's old public default password", "MLFLOW_AUTH_ADMIN_USERNAME")
