"""The local Ray instance listens on loopback only, as seen from the sockets of the processes it started."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import textwrap

import pytest

from gsdrp.tune.local_ray import ensure_private_token

from .conftest import wait_for
from .processes import in_session, is_loopback, listening
from .ray_nodes import accepts

# What `make sweep` does: a sweep script imports Ray first, then run_sweep starts the local instance.
LOCAL_INSTANCE = textwrap.dedent(
    """
    import sys
    import ray
    from ray import tune
    from gsdrp.tune.runner import _init_ray

    _init_ray()

    @ray.remote
    class Trial:
        def ping(self):
            return 1

    trials = [Trial.remote() for _ in range(2)]
    assert ray.get([t.ping.remote() for t in trials]) == [1, 1]
    print("ready", flush=True)
    sys.stdin.read()
    """
)


def assert_loopback_only(processes) -> list:
    sockets = listening(processes)
    exposed = [s for s in sockets if not is_loopback(s[2])]
    assert not exposed, f"listening beyond loopback (pid, process, address, port): {exposed}"
    return sockets


@pytest.mark.slow
def test_the_local_sweep_instance_listens_on_loopback_only_with_a_private_token(tmp_path, bystander):
    env = {**os.environ, "HOME": str(tmp_path)}  # a fresh ~/.ray: the token file is created here
    for name in ("RAY_ADDRESS", "RAY_AUTH_MODE", "RAY_AUTH_TOKEN", "RAY_AUTH_TOKEN_PATH"):
        env.pop(name, None)
    driver = subprocess.Popen(
        [sys.executable, "-c", LOCAL_INSTANCE], env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT, text=True, start_new_session=True,
    )
    try:
        output = []
        for line in driver.stdout:  # Ray's start-up log, then "ready" (or the error)
            output.append(line)
            if line.strip() == "ready":
                break
        assert output and output[-1].strip() == "ready", "".join(output)[-3000:]
        processes = in_session(driver.pid)
        sockets = assert_loopback_only(processes)
        names = {name for _, name, _, _ in sockets}
        assert {"gcs_server", "raylet"} <= names and len(sockets) >= 8  # GCS, raylet, agents, metrics, workers
        token = tmp_path / ".ray" / "auth_token"
        assert stat.S_IMODE(token.stat().st_mode) == 0o600 and len(token.read_text()) == 64
    finally:
        driver.communicate(input="", timeout=120)  # the driver ends its instance (ray.shutdown at exit)
    assert not in_session(driver.pid)


@pytest.mark.slow
def test_a_local_head_started_with_ray_start_listens_on_loopback_only(ray_cluster):
    """The head of the local `ray job submit` recipe: dashboard, job API, client server, GCS, raylet."""
    cluster = ray_cluster(head_cpus=1, worker_cpus=[])
    served = {cluster.port, cluster.dashboard_port, cluster.client_port, cluster.head.agent_port}
    wait_for(lambda: all(accepts(cluster.head.ip, port) for port in served), 120, "the head's ports")  # the client server comes last
    sockets = assert_loopback_only(cluster.head.processes())
    assert served <= {port for *_, port in sockets}


def test_an_existing_token_file_is_made_private(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    for name in ("RAY_AUTH_MODE", "RAY_AUTH_TOKEN", "RAY_AUTH_TOKEN_PATH"):
        monkeypatch.delenv(name, raising=False)
    created = ensure_private_token()
    assert created == tmp_path / ".ray" / "auth_token" and stat.S_IMODE(created.stat().st_mode) == 0o600
    created.chmod(0o644)
    token = created.read_text()
    assert ensure_private_token() == created
    assert stat.S_IMODE(created.stat().st_mode) == 0o600 and created.read_text() == token  # same token, now private
