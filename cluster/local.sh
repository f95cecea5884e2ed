#!/usr/bin/env bash
# A Ray head on this machine for trying `ray job submit`: every port on 127.0.0.1, token authentication on.
#
#   cluster/local.sh start                       # head + job API at http://127.0.0.1:8265
#   cluster/local.sh submit [ray job submit flags] -- $PWD/.venv/bin/python sweeps/full.py ...  (the checkout's interpreter: the job runs in a copy without .venv)
#   cluster/local.sh stop                        # ends this head only (the `ray start` it recorded)
#
# Ports: RAY_PORT (GCS, 6379), RAY_DASHBOARD_PORT (8265), RAY_AGENT_PORT (52365), RAY_CLIENT_PORT (10001).
# The job logs to MLFLOW_TRACKING_URI, default the checkout's sqlite store mlflow/mlflow.db, as MLFLOW_TRACKING_USERNAME
# with MLFLOW_TRACKING_PASSWORD if they are set (an authenticated server, docs/security.md).
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
ray="${RAY_BIN:-$repo/.venv/bin/ray}"
state="${TMPDIR:-/tmp}/gsdrp-ray-$(id -u)"        # Ray's temp dir for this head, and its pid file
port="${RAY_PORT:-6379}" dashboard="${RAY_DASHBOARD_PORT:-8265}" agent="${RAY_AGENT_PORT:-52365}"
export RAY_AUTH_MODE=token
export RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER=0        # Ray's single-machine mode: the node address stays 127.0.0.1

listens() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

start() {
  if [[ -f "$state/head.pid" ]] && kill -0 "$(cat "$state/head.pid")" 2>/dev/null; then
    echo "a head started by this script is running (pid $(cat "$state/head.pid")); cluster/local.sh stop first" >&2; exit 1
  fi
  mkdir -p -m 700 "$state"
  umask 077                                        # the auth token Ray writes on first use is private
  [[ -s "${RAY_AUTH_TOKEN_PATH:-$HOME/.ray/auth_token}" ]] || "$ray" get-auth-token --generate >/dev/null
  PYTHONUNBUFFERED=1 "$ray" start --head --block --disable-usage-stats --node-ip-address=127.0.0.1 --port="$port" \
    --dashboard-host=127.0.0.1 --dashboard-port="$dashboard" --dashboard-agent-listen-port="$agent" \
    --ray-client-server-port="${RAY_CLIENT_PORT:-10001}" --temp-dir="$state" "${@}" >"$state/head.log" 2>&1 &
  echo $! >"$state/head.pid"
  for _ in $(seq 180); do
    if grep -q "Ray runtime started" "$state/head.log" && listens "$dashboard" && listens "$agent"; then
      echo "head up: GCS 127.0.0.1:$port, jobs API http://127.0.0.1:$dashboard (log $state/head.log)"; return
    fi
    kill -0 "$(cat "$state/head.pid")" 2>/dev/null || break
    sleep 1
  done
  tail -n 3 "$state/head.log" >&2; echo "the head did not start; see $state/head.log" >&2; exit 1
}

submit() {
  local raw="${GSDRP_RAW_DATA:-$repo/../shared/data}" models="${GSDRP_MODELS:-$repo/../shared/models}"
  # The runtime env goes to a private file, not the command line: it carries the tracking server's credentials
  # (MLFLOW_TRACKING_USERNAME / MLFLOW_TRACKING_PASSWORD) when they are set (docs/security.md).
  mkdir -p -m 700 "$state"
  (umask 077
   MLFLOW_TRACKING_URI="${MLFLOW_TRACKING_URI:-sqlite:///$repo/mlflow/mlflow.db}" GSDRP_RAW_DATA="$(realpath "$raw")" \
   GSDRP_MODELS="$(realpath -m "$models")" GSDRP_PREPARED="${GSDRP_PREPARED:-$repo/data/prepared}" \
   GSDRP_EMBEDDINGS="${GSDRP_EMBEDDINGS:-$repo/data/embeddings}" HF_HUB_OFFLINE=1 "$(dirname "$ray")/python" -c '
import json, os
names = ["MLFLOW_TRACKING_URI", "MLFLOW_TRACKING_USERNAME", "MLFLOW_TRACKING_PASSWORD", "GSDRP_RAW_DATA",
         "GSDRP_MODELS", "GSDRP_PREPARED", "GSDRP_EMBEDDINGS", "HF_HUB_OFFLINE"]
print(json.dumps({"env_vars": {name: os.environ[name] for name in names if os.environ.get(name)}}))' \
     >"$state/runtime_env.json")
  cd "$repo"
  exec "$ray" job submit --address "http://127.0.0.1:$dashboard" --working-dir . --runtime-env "$state/runtime_env.json" "$@"
}

stop() {
  local pid
  pid="$(cat "$state/head.pid" 2>/dev/null)" || { echo "no head started by this script" >&2; exit 1; }
  kill -TERM "$pid" 2>/dev/null || true          # `ray start --block` stops the processes it started
  for _ in $(seq 60); do kill -0 "$pid" 2>/dev/null || break; sleep 1; done
  rm -f "$state/head.pid"
  echo "head stopped"
}

command="${1:-}"; shift || true
case "$command" in
  start) start "$@" ;;
  submit) submit "$@" ;;
  stop) stop ;;
  *) echo "usage: cluster/local.sh start|submit -- COMMAND|stop" >&2; exit 2 ;;
esac
