#!/usr/bin/env bash
# Run the MLflow tracking server that sweeps log to. Binds to 127.0.0.1 unless MLFLOW_HOST says otherwise;
# artifacts are served by the server (proxied), so remote Ray workers need only the server's URL.
#
#   mlflow/serve.sh                                   # sqlite store and artifacts under mlflow/
#   MLFLOW_BACKEND_STORE_URI=postgresql://user:pw@db:5432/mlflow mlflow/serve.sh
#   export MLFLOW_TRACKING_URI=http://127.0.0.1:5000   # then run sweeps, promote, predict
#
# Authentication (docs/security.md): given an admin password, the server runs MLflow's basic-auth app, in
# which accounts see only what they were granted. Beyond loopback it must: without one it refuses to start.
#   MLFLOW_AUTH_ADMIN_PASSWORD_FILE (or MLFLOW_AUTH_ADMIN_PASSWORD)            the admin's password
#   MLFLOW_FLASK_SERVER_SECRET_KEY_FILE (or MLFLOW_FLASK_SERVER_SECRET_KEY)    the server's secret key
#   MLFLOW_AUTH_ADMIN_USERNAME (admin), MLFLOW_AUTH_DIR (mlflow/: basic_auth.ini and the account store
#   basic_auth.db), MLFLOW_AUTH_DATABASE_URI (that store elsewhere, e.g. on PostgreSQL),
#   MLFLOW_AUTH_CACHE_TTL_SECONDS (60: a worker rechecks a password after this long, not at every request)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
host="${MLFLOW_HOST:-127.0.0.1}"
refuse() { echo "mlflow/serve.sh: $*" >&2; exit 1; }

# A secret from the file named by NAME_FILE, else from NAME itself.
read_secret() {
  local file_var="$1_FILE"
  if [[ -n "${!file_var:-}" ]]; then
    [[ -r "${!file_var}" ]] || refuse "$file_var names ${!file_var}, which cannot be read"
    export "$1=$(<"${!file_var}")"
  fi
}
read_secret MLFLOW_AUTH_ADMIN_PASSWORD
read_secret MLFLOW_FLASK_SERVER_SECRET_KEY

# On PostgreSQL: a connection pool per worker that covers its 40 request threads. MLflow's default (5 + 10)
# runs dry with a few dozen concurrent trials: requests fail after 30 s and their points are lost.
# The database needs max_connections >= workers x 80 (plus other clients).
export MLFLOW_SQLALCHEMYSTORE_POOL_SIZE="${MLFLOW_SQLALCHEMYSTORE_POOL_SIZE:-40}"
export MLFLOW_SQLALCHEMYSTORE_MAX_OVERFLOW="${MLFLOW_SQLALCHEMYSTORE_MAX_OVERFLOW:-40}"
mlflow_bin="${MLFLOW_BIN:-$(command -v mlflow || echo "$here/../.venv/bin/mlflow")}"

app=()
if [[ -n "${MLFLOW_AUTH_ADMIN_PASSWORD:-}" ]]; then
  [[ -n "${MLFLOW_FLASK_SERVER_SECRET_KEY:-}" ]] ||
    refuse "authentication needs a secret key: set MLFLOW_FLASK_SERVER_SECRET_KEY_FILE (see docs/security.md)"
  # The password of older MLflow versions' default admin (public); MLflow replaces it at start-up, before the
  # first request, where the configured admin still has it; check_auth_store.py refuses any other holder.
  [[ "$MLFLOW_AUTH_ADMIN_PASSWORD" != "password1234" ]] ||
    refuse "the admin password is MLflow's old public default: choose another (see docs/security.md)"
  auth_dir="${MLFLOW_AUTH_DIR:-$here}"
  auth_db="${MLFLOW_AUTH_DATABASE_URI:-sqlite:///$auth_dir/basic_auth.db}"
  admin="${MLFLOW_AUTH_ADMIN_USERNAME:-admin}"
  mkdir -p "$auth_dir"
  (umask 077; cat >"$auth_dir/basic_auth.ini" <<EOF
[mlflow]
default_permission = NO_PERMISSIONS
database_uri = ${auth_db//%/%%}
admin_username = $admin
authorization_function = mlflow.server.auth:authenticate_request_basic_auth
auth_cache_ttl_seconds = ${MLFLOW_AUTH_CACHE_TTL_SECONDS:-60}
EOF
  )
  export MLFLOW_AUTH_CONFIG_PATH="$auth_dir/basic_auth.ini"
  python="${MLFLOW_PYTHON:-$(dirname "$mlflow_bin")/python}"
  [[ -x "$python" ]] || python=python3
  "$python" "$here/check_auth_store.py" "$auth_db" "$admin"
  app=(--app-name basic-auth)
elif [[ ! "$host" =~ ^(127\.[0-9.]+|localhost|::1|\[::1\])$ ]]; then
  refuse "refusing to listen on $host without authentication: set MLFLOW_AUTH_ADMIN_PASSWORD_FILE and" \
    "MLFLOW_FLASK_SERVER_SECRET_KEY_FILE to enable it (see docs/security.md)"
fi

exec "$mlflow_bin" server "${app[@]}" \
  --host "$host" \
  --port "${MLFLOW_PORT:-5000}" \
  --backend-store-uri "${MLFLOW_BACKEND_STORE_URI:-sqlite:///$here/mlflow.db}" \
  --serve-artifacts \
  --artifacts-destination "${MLFLOW_ARTIFACTS_DESTINATION:-$here/artifacts}" \
  --workers "${MLFLOW_WORKERS:-2}"
