"""Pure ASGI middleware wrapping the whole gateway (root app and mounted sub-apps):
counts the HTTP requests served and applies the DEMO_LATENCY_MS delay."""

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
    """Counts every HTTP request, then sleeps `latency_ms` before handling it."""

    def __init__(self, app: ASGIApp, stats: RequestStats, latency_ms: float = 0.0) -> None:
        self.app = app
        self.stats = stats
        self.delay = latency_ms / 1000.0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            self.stats.requests_served += 1
            if self.delay > 0:
                await asyncio.sleep(self.delay)
        await self.app(scope, receive, send)
