# LNbits: Lightning wallet and accounts system; API at /api/v1 (wallets, payments,
# users, API tokens, assets, ...) and /admin/api/v1, /users/api/v1 (admin UI) on the
# origin. Funding source FakeWallet (pays and settles its own invoices, no node), SQLite
# in DIR, extension manifests, price aggregator and exchange-rate providers off, its
# rate limit (200 requests a minute per client) lifted.
# Until its first install is done every path (openapi.json too) redirects to
# /first_install, so app_start first runs it once on a port of its own and sets the
# superuser's username/password through PUT /api/v1/auth/first_install.
# Auth: two schemes at once: accounts take an access token (POST /api/v1/auth, JSON
# username/password; sent as `Authorization: Bearer`), wallet endpoints take a wallet
# key in X-API-KEY: the superuser's wallet admin key, through GATEWAY_HEADERS. The
# spec's OAuth2 password flow (tokenUrl api/v1/auth) wants JSON, not the form a
# password flow sends, so the tool is given the token instead.
# Pinned bitstring 4.4.0: bolt11 2.1.1 imports ConstBitStream, which bitstring 5 dropped.
APP_VERSION="lnbits==1.6.2"
APP_DESCRIPTION="lnbits (FakeWallet funding, SQLite); bearer token from POST /api/v1/auth (superuser) + X-API-KEY wallet admin key"

LNBITS_BENCH_USER=admin
LNBITS_BENCH_PASSWORD=Bench-passw0rd

app_start() {
    local port=$1 dir=$2 site setup pid i
    export LNBITS_DATA_FOLDER=$dir LNBITS_EXTENSIONS_PATH=$dir \
        LNBITS_BACKEND_WALLET_CLASS=FakeWallet LNBITS_ADMIN_UI=true \
        AUTH_SECRET_KEY=bench-secret-key-0123456789 AUTH_HTTPS_ONLY=false \
        LNBITS_EXTENSIONS_MANIFESTS='[]' LNBITS_WASM_EXTENSIONS_MANIFESTS='[]' \
        LNBITS_PRICE_AGGREGATOR_ENABLED=false LNBITS_EXCHANGE_RATE_PROVIDERS='[]' \
        LNBITS_RATE_LIMIT_NO=1000000 ENABLE_LOG_TO_FILE=false
    mkdir -p "$dir/logs" "$dir/extensions"
    # LNbits serves its static files from lnbits/static relative to the working folder.
    site=$("$VENV/bin/python" -c 'import os, lnbits; print(os.path.dirname(os.path.dirname(lnbits.__file__)))')
    cd "$site" || return 1
    if [[ ! -f $dir/.first-install-done ]]; then
        # On a port of its own (not PORT: its redirects must not pass for the spec).
        setup=$("$VENV/bin/python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
        "$VENV/bin/uvicorn" lnbits.__main__:app --host 127.0.0.1 --port "$setup" --log-level warning &
        pid=$!
        for i in $(seq 120); do
            curl -s -o /dev/null "http://127.0.0.1:$setup/first_install" && break
            sleep 0.5
        done
        curl -s --fail-with-body -X PUT "http://127.0.0.1:$setup/api/v1/auth/first_install" \
            -H 'content-type: application/json' -o "$dir/first-install.json" \
            -d "{\"username\": \"$LNBITS_BENCH_USER\", \"password\": \"$LNBITS_BENCH_PASSWORD\", \"password_repeat\": \"$LNBITS_BENCH_PASSWORD\"}" \
            || { kill "$pid"; echo "lnbits: first install failed: $(cat "$dir/first-install.json")" >&2; return 1; }
        kill "$pid"
        wait "$pid" || true
        touch "$dir/.first-install-done"
    fi
    exec "$VENV/bin/lnbits" --host 127.0.0.1 --port "$port"
}

app_auth() {
    local url=$1 token key
    token=$(curl -sf -X POST "$url/api/v1/auth" -H 'content-type: application/json' \
        -d "{\"username\": \"$LNBITS_BENCH_USER\", \"password\": \"$LNBITS_BENCH_PASSWORD\"}" \
        | "$PYTHON" -c 'import json, sys; print(json.load(sys.stdin)["access_token"])') || return 1
    # The superuser's first wallet (one is made with the account; make one if the load
    # deleted them all).
    key=$(curl -sf "$url/api/v1/wallets" -H "Authorization: Bearer $token" \
        | "$PYTHON" -c 'import json, sys; w = [w for w in json.load(sys.stdin) if not w.get("deleted")]; print(w[0]["adminkey"] if w else "")') || return 1
    if [[ -z $key ]]; then
        key=$(curl -sf -X POST "$url/api/v1/wallet" -H "Authorization: Bearer $token" \
            -H 'content-type: application/json' -d '{"name": "bench"}' \
            | "$PYTHON" -c 'import json, sys; print(json.load(sys.stdin)["adminkey"])') || return 1
    fi
    export GATEWAY_TOKEN=$token GATEWAY_HEADERS="X-API-KEY: $key"
}

# Paginated lists answer {"data": [...], "total": N}. Wallets are the superuser's own
# (other users' through /users/api/v1/user/{user_id}/wallet); payments are everyone's.
# Tiny URLs and web-push subscriptions have no list endpoint.
app_kinds() {
    cat <<'KINDS'
users	/users/api/v1/user?limit=1
wallets (superuser's)	/api/v1/wallet/paginated?limit=1
payments	/api/v1/payments/all/paginated?limit=1
assets	/api/v1/assets/paginated?limit=1
access control lists	/api/v1/auth/acl
KINDS
}

# Seen on this install (checked by hand with curl): what needs the internet or a
# Lightning node, what the configuration turns off, and one route no request reaches.
app_cannot_succeed() {
    local ext="needs an installed extension: extensions install only from GitHub archives listed in manifests (off; no internet)"
    cat <<CANNOT
* /node/*	FakeWallet does not implement the Node API: 501 "Active backend does not implement Node API" (503 "Not enabled" for /node/public)
GET /blockexplorer/*	block explorer off: 503 "Block explorer is not enabled" (it queries mempool.space)
POST /api/v1/conversion	needs exchange rates from internet price providers (off): 400 "Could not get exchange rate"
GET /api/v1/auth/{provider}	SSO (Google, GitHub, Keycloak, OIDC) needs an external identity provider: 403 "Login by '...' not allowed"
GET /api/v1/auth/{provider}/token	SSO (Google, GitHub, Keycloak, OIDC) needs an external identity provider: 403 "Login by '...' not allowed"
POST /api/v1/auth/nostr	Nostr login off in this configuration: 403 "Login with Nostr Auth not allowed"
POST /api/v1/extension	installs from a GitHub release archive (no internet): 404 "Release not found"
GET /api/v1/extension/release/*	reads GitHub releases (no internet): 500 "All connection attempts failed"
GET /api/v1/extension/reviews/*	paid reviews live at demo.lnbits.com (no internet): 500
PUT /api/v1/extension/reviews	paid reviews live at demo.lnbits.com (no internet): 500
POST /api/v1/extension/builder/*	the builder's stub comes from GitHub (manifest off; no internet)
DELETE /api/v1/extension/builder	server bug: shadowed by DELETE /api/v1/extension/{ext_id}, always 404 "Unknown extension id: builder"
GET /api/v1/extension/{ext_id}/details	$ext
PUT /api/v1/extension/{ext_id}/*	$ext
DELETE /api/v1/extension/{ext_id}	$ext
DELETE /api/v1/extension/{ext_id}/db	$ext
* /api/v1/extension/{ext_id}/permissions*	$ext
CANNOT
}

