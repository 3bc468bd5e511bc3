# Open WebUI: chat front end for LLMs; API at /api/v1 (and /ollama, /openai proxies) on
# the origin. Its OpenAPI document is served only with ENV=dev. No LLM backend is
# configured (Ollama and OpenAI APIs off), retrieval's embedding model is bypassed.
# Auth: HTTP bearer; the first user to sign up (POST /api/v1/auths/signup) is the admin.
APP_VERSION="open-webui==0.12.4"
APP_DESCRIPTION="open-webui serve with ENV=dev (for /openapi.json), SQLite; bearer token from POST /api/v1/auths/signup (first user is admin)"

OWUI_BENCH_EMAIL=admin@example.com
OWUI_BENCH_PASSWORD=Bench-passw0rd

app_start() {
    local port=$1 dir=$2
    export ENV=dev DATA_DIR=$dir WEBUI_SECRET_KEY=bench-secret-key WEBUI_AUTH=true \
        ENABLE_SIGNUP=true ENABLE_CHANNELS=true ENABLE_NOTES=true \
        ENABLE_OLLAMA_API=false ENABLE_OPENAI_API=false OFFLINE_MODE=true \
        RAG_EMBEDDING_MODEL_AUTO_UPDATE=false RAG_RERANKING_MODEL_AUTO_UPDATE=false \
        BYPASS_EMBEDDING_AND_RETRIEVAL=true ENABLE_VERSION_UPDATE_CHECK=false \
        ENABLE_COMMUNITY_SHARING=false SCARF_NO_ANALYTICS=true DO_NOT_TRACK=true \
        ANONYMIZED_TELEMETRY=false GLOBAL_LOG_LEVEL=WARNING
    exec "$VENV/bin/open-webui" serve --host 127.0.0.1 --port "$port"
}

app_auth() {
    local url=$1 answer
    # Sign in (again, after the run: the load may have signed the token out), else sign
    # up: the first user is the admin.
    answer=$(curl -sf -X POST "$url/api/v1/auths/signin" -H 'content-type: application/json' \
        -d "{\"email\": \"$OWUI_BENCH_EMAIL\", \"password\": \"$OWUI_BENCH_PASSWORD\"}") \
        || answer=$(curl -sf -X POST "$url/api/v1/auths/signup" -H 'content-type: application/json' \
            -d "{\"name\": \"Bench Admin\", \"email\": \"$OWUI_BENCH_EMAIL\", \"password\": \"$OWUI_BENCH_PASSWORD\"}") \
        || return 1
    GATEWAY_TOKEN=$("$PYTHON" -c 'import json, sys; print(json.loads(sys.argv[1])["token"])' "$answer") || return 1
    export GATEWAY_TOKEN
}

app_kinds() {
    cat <<'KINDS'
chats	/api/v1/chats/all/db
models	/api/v1/models/list
knowledge	/api/v1/knowledge/
files	/api/v1/files/
prompts	/api/v1/prompts/
tools	/api/v1/tools/
functions	/api/v1/functions/
skills	/api/v1/skills/
notes	/api/v1/notes/
channels	/api/v1/channels/
folders	/api/v1/folders/
groups	/api/v1/groups/
users	/api/v1/users/all
memories	/api/v1/memories/
calendars	/api/v1/calendars/
automations	/api/v1/automations/list
feedbacks	/api/v1/evaluations/feedbacks/all/ids
KINDS
}
