#!/usr/bin/env bash
# codcall launcher.
#   bash start.sh demo    offline demo campaign: no vendor keys, built-in carrier simulator, prints the CSV
#   bash start.sh demo --open
#                         the same campaign run through the campaign-api, then the operations
#                         dashboard's URL; the services keep serving until Ctrl-C
#   bash start.sh serve   runs agent-api (5001) and telephony-gateway (5002) in the foreground
# Both listen on 127.0.0.1 and make an API key for the run unless .env sets CODCALL_API_KEYS.
set -euo pipefail
cd "$(dirname "$0")"

MODE="${1:-demo}"
OPEN=""
for arg in "${@:2}"; do [ "$arg" = "--open" ] && OPEN=1; done
CAMPAIGN_API_PORT="${CAMPAIGN_API_PORT:-5003}"
AGENT_API_PORT="${AGENT_API_PORT:-5001}"
GATEWAY_PORT="${GATEWAY_PORT:-5002}"
export AGENT_API_URL="${AGENT_API_URL:-http://127.0.0.1:${AGENT_API_PORT}}"
export GATEWAY_URL="${GATEWAY_URL:-http://127.0.0.1:${GATEWAY_PORT}}"
export NX_DAEMON=false NX_NO_CLOUD=true NX_TUI=false

die() { echo "start.sh: $*" >&2; exit 1; }

[ -f .env ] && { set -a; . ./.env; set +a; }

# Both services require an API key; a run without one configured gets a fresh random key, handed
# to the services (CODCALL_API_KEYS) and to the CLI and the gateway's calls to agent-api (CODCALL_API_KEY).
if [ -z "${CODCALL_API_KEYS:-}" ]; then
  CODCALL_API_KEYS=$(node -e "console.log(require('crypto').randomBytes(24).toString('base64url'))")
  KEY_MADE_FOR_THIS_RUN=1
fi
export CODCALL_API_KEYS
export CODCALL_API_KEY="${CODCALL_API_KEY:-${CODCALL_API_KEYS%%,*}}"
export AGENT_API_HOST="${AGENT_API_HOST:-127.0.0.1}" GATEWAY_HOST="${GATEWAY_HOST:-127.0.0.1}"
[ -d node_modules ] || npm ci --no-audit --no-fund
echo "Building the apps..." >&2
mkdir -p runs
npx nx run-many -t build -p agent-api telephony-gateway outbound-cli ${OPEN:+campaign-api dashboard} --outputStyle=static >runs/build.log 2>&1 \
  || { tail -30 runs/build.log >&2; die "build failed (full log: runs/build.log)"; }

AGENT_API_MAIN=dist/apps/agent-api/apps/agent-api/src/main.js
GATEWAY_MAIN=dist/apps/telephony-gateway/apps/telephony-gateway/src/main.js
CLI_MAIN=dist/apps/outbound-cli/apps/outbound-cli/src/main.js
CAMPAIGN_API_MAIN=dist/apps/campaign-api/apps/campaign-api/src/main.js

port_free() { ! node -e "require('net').connect($1,'127.0.0.1').on('connect',()=>process.exit(0)).on('error',()=>process.exit(1))"; }
wait_healthy() {
  for _ in $(seq 1 100); do
    node -e "fetch('$1/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))" && return 0
    sleep 0.2
  done
  die "$2 did not become healthy at $1 (see $3)"
}

PIDS=()
cleanup() { for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT INT TERM

start_services() {
  local run_dir="$1"
  port_free "$AGENT_API_PORT" || die "port $AGENT_API_PORT is taken: set AGENT_API_PORT"
  port_free "$GATEWAY_PORT" || die "port $GATEWAY_PORT is taken: set GATEWAY_PORT"
  DATA_DIR="${DATA_DIR:-$run_dir/data}" AGENT_API_PORT="$AGENT_API_PORT" \
    node "$AGENT_API_MAIN" 2>"$run_dir/agent-api.log" & PIDS+=($!)
  RECORDS_DIR="${RECORDS_DIR:-$run_dir/calls}" GATEWAY_DATA_DIR="${GATEWAY_DATA_DIR:-$run_dir/gateway}" GATEWAY_PORT="$GATEWAY_PORT" \
    node "$GATEWAY_MAIN" 2>"$run_dir/telephony-gateway.log" & PIDS+=($!)
  wait_healthy "$AGENT_API_URL" agent-api "$run_dir/agent-api.log"
  wait_healthy "$GATEWAY_URL" telephony-gateway "$run_dir/telephony-gateway.log"
}

# The campaign-api, serving the built dashboard at / beside its API (demo --open).
start_campaign_api() {
  local run_dir="$1"
  port_free "$CAMPAIGN_API_PORT" || die "port $CAMPAIGN_API_PORT is taken: set CAMPAIGN_API_PORT"
  DASHBOARD_URL="http://127.0.0.1:${CAMPAIGN_API_PORT}"
  DATA_DIR="$run_dir/campaign-api" CAMPAIGN_API_PORT="$CAMPAIGN_API_PORT" CAMPAIGN_API_HOST=127.0.0.1 \
    node "$CAMPAIGN_API_MAIN" 2>"$run_dir/campaign-api.log" & PIDS+=($!)
  wait_healthy "$DASHBOARD_URL" campaign-api "$run_dir/campaign-api.log"
}

case "$MODE" in
  demo)
    RUN_DIR="runs/demo-$(date +%Y%m%d-%H%M%S)"
    mkdir -p "$RUN_DIR"
    # The demo dials the built-in simulator, whatever .env says; a callee who asks for a person is
    # handed to this (fictional) number, which the simulator only records.
    export SIMULATOR_ENABLED=true
    export TRANSFER_NUMBER="${TRANSFER_NUMBER:-+14155550100}"
    start_services "$RUN_DIR"
    SERVER_ARGS=()
    if [ -n "$OPEN" ]; then
      start_campaign_api "$RUN_DIR"
      SERVER_ARGS=(--server "$DASHBOARD_URL")
    fi
    AGENT_ID=$(node -e "
      const body = require('fs').readFileSync('agent_data/cod_confirmation_agent.json', 'utf8');
      const headers = { 'content-type': 'application/json', authorization: 'Bearer ' + process.env.CODCALL_API_KEY };
      fetch('$AGENT_API_URL/agent', { method: 'POST', headers, body })
        .then(async (r) => { const j = await r.json(); if (!r.ok) { console.error(JSON.stringify(j)); process.exit(1); } console.log(j.agent_id); })
        .catch((e) => { console.error(e.message); process.exit(1); });") || die "could not create the agent"
    echo "Agent created: $AGENT_ID" >&2
    cp demo/call_list.csv "$RUN_DIR/call_list.csv"
    set +e
    # A demo calls every row once, now: no calling window, no retries, no pacing to speak of.
    node "$CLI_MAIN" --agentId="$AGENT_ID" --csv "$RUN_DIR/call_list.csv" --simulate demo/callees.json --concurrency 8 \
      --window 00:00-24:00 --max-attempts 1 --cps 20 ${SERVER_ARGS[@]+"${SERVER_ARGS[@]}"}
    status=$?
    set -e
    echo
    echo "== $RUN_DIR/call_list.csv =="
    cat "$RUN_DIR/call_list.csv"
    echo
    echo "Recordings and call records: $RUN_DIR/calls/ (one WAV and one JSON per call)"
    if [ -n "$OPEN" ]; then
      echo
      echo "Dashboard: $DASHBOARD_URL  (sign in with this run's API key: $CODCALL_API_KEY)"
      echo "The services keep serving (logs in $RUN_DIR). Ctrl-C stops them."
      wait
    fi
    exit "$status"
    ;;
  serve)
    RUN_DIR="runs/serve"
    mkdir -p "$RUN_DIR"
    export SIMULATOR_ENABLED="${SIMULATOR_ENABLED:-true}"
    start_services "$RUN_DIR"
    echo "agent-api at $AGENT_API_URL, telephony-gateway at $GATEWAY_URL (logs in $RUN_DIR). Ctrl-C stops both." >&2
    if [ -n "${KEY_MADE_FOR_THIS_RUN:-}" ]; then
      echo "Every request but /health needs this run's API key (set CODCALL_API_KEYS in .env to keep one):" >&2
    else
      echo "Every request but /health needs one of the keys in CODCALL_API_KEYS (from .env):" >&2
    fi
    echo "  export CODCALL_API_KEY=$CODCALL_API_KEY" >&2
    echo "  curl -H \"Authorization: Bearer \$CODCALL_API_KEY\" $AGENT_API_URL/agents" >&2
    wait
    ;;
  *)
    die "unknown mode '$MODE' (use demo or serve)"
    ;;
esac
