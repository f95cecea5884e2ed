#!/usr/bin/env bash
# Run the MLflow tracking server that sweeps log to. Binds to 127.0.0.1 unless MLFLOW_HOST says otherwise;
# artifacts are served by the server (proxied), so remote Ray workers need only the server's URL.
#
#   mlflow/serve.sh                                   # sqlite store and artifacts under mlflow/
#   MLFLOW_BACKEND_STORE_URI=postgresql://user:pw@db:5432/mlflow mlflow/serve.sh
#   export MLFLOW_TRACKING_URI=http://127.0.0.1:5000   # then run sweeps, promote, predict
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
mlflow_bin="${MLFLOW_BIN:-$(command -v mlflow || echo "$here/../.venv/bin/mlflow")}"
exec "$mlflow_bin" server \
  --host "${MLFLOW_HOST:-127.0.0.1}" \
  --port "${MLFLOW_PORT:-5000}" \
  --backend-store-uri "${MLFLOW_BACKEND_STORE_URI:-sqlite:///$here/mlflow.db}" \
  --serve-artifacts \
  --artifacts-destination "${MLFLOW_ARTIFACTS_DESTINATION:-$here/artifacts}" \
  --workers "${MLFLOW_WORKERS:-2}"
