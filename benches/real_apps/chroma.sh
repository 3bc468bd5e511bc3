# Chroma (chromadb 0.6, the last series whose server is FastAPI; 1.x serves from Rust):
# vector database; API at /api/v1 (deprecated) and /api/v2 on the origin, resources
# keyed by name in the path (tenant, database_name, collection_name) and by id.
# Auth: static token (TokenAuthenticationServerProvider) sent as `Authorization: Bearer`;
# the spec declares no security scheme. Tenants have no list endpoint: only databases of
# default_tenant and collections of default_database can be counted.
APP_VERSION="chromadb==0.6.3"
APP_DESCRIPTION="chroma run --path DIR (SQLite), telemetry off; static bearer token (CHROMA_SERVER_AUTHN_CREDENTIALS)"

CHROMA_BENCH_TOKEN=bench-token-0123456789

app_start() {
    local port=$1 dir=$2
    export ANONYMIZED_TELEMETRY=False IS_PERSISTENT=TRUE \
        CHROMA_SERVER_AUTHN_PROVIDER=chromadb.auth.token_authn.TokenAuthenticationServerProvider \
        CHROMA_SERVER_AUTHN_CREDENTIALS=$CHROMA_BENCH_TOKEN
    exec "$VENV/bin/chroma" run --path "$dir/chroma" --host 127.0.0.1 --port "$port" --log-path "$dir/chroma.log"
}

app_auth() {
    export GATEWAY_TOKEN=$CHROMA_BENCH_TOKEN
}

app_kinds() {
    cat <<'KINDS'
databases (default_tenant)	/api/v2/tenants/default_tenant/databases
collections (default_database)	/api/v2/tenants/default_tenant/databases/default_database/collections_count
KINDS
}

# Seen on this install (every call, whatever its input; checked by hand with curl):
# chromadb 0.6.3's v1 routes that read by name or list answer 400 "cannot unpack
# non-iterable coroutine object" (a server bug: an async auth call not awaited), and
# reset is off unless ALLOW_RESET=TRUE, which would wipe every user's data mid-run.
app_cannot_succeed() {
    local bug="chromadb 0.6.3 server bug: every call answers 400 \"cannot unpack non-iterable coroutine object\""
    cat <<CANNOT
GET /api/v1/collections	$bug
GET /api/v1/count_collections	$bug
GET /api/v1/collections/{collection_name}	$bug
DELETE /api/v1/collections/{collection_name}	$bug
GET /api/v1/databases/{database}	$bug
GET /api/v1/tenants/{tenant}	$bug
POST /api/*/reset	off in this configuration: 400 "Resetting is not allowed" (ALLOW_RESET=TRUE would wipe every user's data mid-run)
CANNOT
}
