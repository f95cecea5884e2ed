#!/usr/bin/env bash
# Run the MLflow tracking server that sweeps log to. Binds to 127.0.0.1 unless MLFLOW_HOST says otherwise;
# artifacts are served by the server (proxied), so remote Ray workers need only the server's URL.
#
#   mlflow/serve.sh                                   # sqlite store and artifacts under mlflow/
#   MLFLOW_BACKEND_STORE_URI=postgresql://user:pw@db:5432/mlflow mlflow/serve.sh
#   export MLFLOW_TRACKING_URI=http://127.0.0.1:5000   # then run sweeps, promote, predict
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
# On PostgreSQL: a connection pool per worker that covers its 40 request threads. MLflow's default (5 + 10)
# runs dry with a few dozen concurrent trials: requests fail after 30 s and their points are lost.
# The database needs max_connections >= workers x 80 (plus other clients).
export MLFLOW_SQLALCHEMYSTORE_POOL_SIZE="${MLFLOW_SQLALCHEMYSTORE_POOL_SIZE:-40}"
export MLFLOW_SQLALCHEMYSTORE_MAX_OVERFLOW="${MLFLOW_SQLALCHEMYSTORE_MAX_OVERFLOW:-40}"
mlflow_bin="${MLFLOW_BIN:-$(command -v mlflow || echo "$here/../.venv/bin/mlflow")}"
exec "$mlflow_bin" server \
  --host "${MLFLOW_HOST:-127.0.0.1}" \
  --port "${MLFLOW_PORT:-5000}" \
  --backend-store-uri "${MLFLOW_BACKEND_STORE_URI:-sqlite:///$here/mlflow.db}" \
  --serve-artifacts \
  --artifacts-destination "${MLFLOW_ARTIFACTS_DESTINATION:-$here/artifacts}" \
  --workers "${MLFLOW_WORKERS:-2}"
