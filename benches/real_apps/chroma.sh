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
