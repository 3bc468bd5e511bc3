# Langflow: visual builder of LLM flows; API at /api/v1 and /api/v2 on the origin.
# Auth: OAuth2 password flow, tokenUrl api/v1/login (form username/password), with the
# superuser created at startup from LANGFLOW_SUPERUSER/_PASSWORD (auto-login off).
# The spec also declares an x-api-key header/query key; the bearer token is enough.
APP_VERSION="langflow==1.13.0"
APP_DESCRIPTION="langflow run --backend-only, SQLite; bearer token from POST /api/v1/login (OAuth2 password flow, user admin)"

LANGFLOW_BENCH_USER=admin
LANGFLOW_BENCH_PASSWORD=Bench-passw0rd
# The tool logs in itself through the spec's password flow (GATEWAY_USERNAME/PASSWORD).
APP_USERNAME=$LANGFLOW_BENCH_USER APP_PASSWORD=$LANGFLOW_BENCH_PASSWORD

app_start() {
    local port=$1 dir=$2
    export LANGFLOW_CONFIG_DIR=$dir LANGFLOW_DATABASE_URL=sqlite:///$dir/langflow.db \
        LANGFLOW_AUTO_LOGIN=false LANGFLOW_SUPERUSER=$LANGFLOW_BENCH_USER \
        LANGFLOW_SUPERUSER_PASSWORD=$LANGFLOW_BENCH_PASSWORD \
        LANGFLOW_SECRET_KEY=bench-secret-key-0123456789abcdef LANGFLOW_OPEN_BROWSER=false \
        DO_NOT_TRACK=true LANGFLOW_LOG_LEVEL=warning LITELLM_LOCAL_MODEL_COST_MAP=True
    exec "$VENV/bin/langflow" run --host 127.0.0.1 --port "$port" --backend-only
}

app_auth() {
    local url=$1
    GATEWAY_TOKEN=$(curl -sf -X POST "$url/api/v1/login" \
        --data-urlencode "username=$LANGFLOW_BENCH_USER" --data-urlencode "password=$LANGFLOW_BENCH_PASSWORD" \
        | "$PYTHON" -c 'import json, sys; print(json.load(sys.stdin)["access_token"])') || return 1
    export GATEWAY_TOKEN
}

app_kinds() {
    cat <<'KINDS'
flows	/api/v1/flows/?get_all=true&remove_example_flows=false
projects	/api/v1/projects/
users	/api/v1/users/?limit=1
api_keys	/api/v1/api_key/
variables	/api/v1/variables/
files	/api/v2/files
messages	/api/v1/monitor/messages
knowledge_bases	/api/v1/knowledge_bases/
mcp_servers	/api/v2/mcp/servers
connections	/api/v1/connections
teams	/api/v1/authz/teams
role_assignments	/api/v1/authz/role-assignments
KINDS
}
