"""Serve the realistic fixture app with uvicorn on 127.0.0.1.

Binds the listening socket itself (PORT 0 = an ephemeral port), prints exactly one
line `listening on http://127.0.0.1:<port>` to stdout, then hands the already
listening socket to uvicorn, so a caller can read the port back without a race.
`--root-path /api` serves the whole app under /api only (requests to
http://127.0.0.1:<port>/api/..., the OpenAPI document at /api/openapi.json with
`servers: [{"url": "/api"}]`); anything outside the prefix answers 404.
Access log off, log level warning. Env knobs: see app.py.
"""

import argparse
import os
import re
import socket
import sys

HOST = "127.0.0.1"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8000, help="TCP port; 0 picks a free one")
    parser.add_argument("--root-path", default="",
                        help="serve the app under this base path, e.g. /api (default: at /)")
    args = parser.parse_args()
    if not 0 <= args.port <= 65535:
        parser.error(f"--port must be 0..65535, got {args.port}")
    root_path = args.root_path.rstrip("/")
    if root_path and not re.fullmatch(r"(/[A-Za-z0-9._~-]+)+", root_path):
        parser.error(f"--root-path must look like /api or /a/b, got {args.root_path!r}")

    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import uvicorn

    from app import create_app  # reads REALISTIC_* env knobs

    app = create_app(root_path=root_path)

    # IPPROTO_TCP, not 0: asyncio sets TCP_NODELAY only on accepted sockets whose proto
    # says TCP (see demo-gateway/serve.py).
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((HOST, args.port))
    except OSError as err:
        sys.exit(f"serve.py: cannot bind {HOST}:{args.port}: {err.strerror}")
    sock.listen(2048)
    port = sock.getsockname()[1]
    print(f"listening on http://{HOST}:{port}", flush=True)

    # The prefix is handled inside the app (ServeUnderPrefix), not by uvicorn's
    # root_path: uvicorn's means "a proxy already stripped it" and would serve at /.
    config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="on")
    uvicorn.Server(config).run(sockets=[sock])


if __name__ == "__main__":
    main()
