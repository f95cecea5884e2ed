"""The PostgreSQL-backed tracking server under a sweep's load, restarted once mid-load: nothing is lost."""

from __future__ import annotations

import pytest

from gsdrp.tracking.load import Load, run_load, verify

pytestmark = pytest.mark.slow


def test_sixteen_trial_loggers_lose_nothing_across_a_server_restart(pg_mlflow_server, monkeypatch):
    monkeypatch.setenv("MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR", "false")
    load = Load(loggers=16, epochs=20, metrics=8, pause=0.25)  # 5 s of epochs per logger at the least
    downtime = []
    result, parent = run_load(
        pg_mlflow_server.url, load, during=lambda: downtime.append(pg_mlflow_server.restart()), during_after=1.5,
    )
    verify(pg_mlflow_server.url, result, parent)
    assert downtime and pg_mlflow_server.healthy()
    assert result.retries > 0, "the restart did not meet any request in flight"
    assert result.errors == []
    assert (result.runs, result.points, result.artifacts) == (16, load.points, 16)
    assert result.lost_points == 0
