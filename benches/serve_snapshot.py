"""Serve a snapshot folder (apps.json + documents, as `snapshot` writes generated/) the
way a FastAPI gateway serves its documents, so build.rs can discover it live.

Each app's document at its `openapi_path`; `GET /gateway/services` lists the mounted
apps; the root's `/openapi.json` is an empty document when the snapshot has no root app.
`--variant N` appends N to every document's `info.description`, so the generated code
changes while the API's shape does not (a "changed API" rebuild). Binds 127.0.0.1 only
and prints `listening on http://127.0.0.1:<port>` first.

    python3 benches/serve_snapshot.py DIR [--port 0] [--variant N]
"""

import argparse
import http.server
import json
import os
import socket
import sys


def load(folder, variant):
    with open(os.path.join(folder, "apps.json"), encoding="utf-8") as f:
        apps = json.load(f)
    routes = {}
    services = []
    for app in apps:
        with open(os.path.join(folder, app["file"]), encoding="utf-8") as f:
            document = json.load(f)
        if variant:
            info = document.setdefault("info", {})
            info["description"] = f"{info.get('description', '')} variant {variant}".strip()
        routes[app["openapi_path"]] = json.dumps(document).encode()
        if app["prefix"]:
            services.append(
                {"name": app["name"], "prefix": app["prefix"], "openapi_url": app["openapi_path"]}
            )
    routes.setdefault(
        "/openapi.json",
        json.dumps(
            {"openapi": "3.1.0", "info": {"title": "snapshot", "version": "0"}, "paths": {}}
        ).encode(),
    )
    routes["/gateway/services"] = json.dumps({"services": services}).encode()
    return routes


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--variant", type=int, default=0)
    args = parser.parse_args()
    routes = load(args.folder, args.variant)

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self):
            body = routes.get(self.path.split("?")[0])
            status = 200 if body is not None else 404
            body = body if body is not None else b'{"detail":"Not Found"}'
            self.send_response(status)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *_):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    server.socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    print(f"listening on http://127.0.0.1:{server.server_address[1]}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        sys.exit(0)


if __name__ == "__main__":
    main()
