"""Pure ASGI middleware wrapping the whole gateway (root app and mounted sub-apps):
counts the HTTP requests served, applies the DEMO_LATENCY_MS delay and fails every
DEMO_FAIL_EVERY-th request."""

import asyncio
import time

from starlette.types import ASGIApp, Receive, Scope, Send


class RequestStats:
    """Process-wide counters shown by `/gateway/status`."""

    def __init__(self) -> None:
        self.started = time.monotonic()
        self.requests_served = 0

    def uptime_seconds(self) -> float:
        return time.monotonic() - self.started


class GatewayMiddleware:
    """Counts every HTTP request, then sleeps `latency_ms` before handling it; every
    `fail_every`-th request other than an OpenAPI document is answered 503 instead."""

    def __init__(
        self, app: ASGIApp, stats: RequestStats, latency_ms: float = 0.0, fail_every: int = 0
    ) -> None:
        self.app = app
        self.stats = stats
        self.delay = latency_ms / 1000.0
        self.fail_every = fail_every
        self.seen = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            self.stats.requests_served += 1
            if self.delay > 0:
                await asyncio.sleep(self.delay)
            if self.fail_every and not scope["path"].endswith("/openapi.json"):
                self.seen += 1
                if self.seen % self.fail_every == 0:
                    await send({"type": "http.response.start", "status": 503, "headers": []})
                    await send({"type": "http.response.body", "body": b""})
                    return
        await self.app(scope, receive, send)
