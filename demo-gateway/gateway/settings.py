"""Environment knobs, read once when the app is built.

- DEMO_LATENCY_MS (default 0): every HTTP request sleeps this many milliseconds
  (asyncio.sleep) before it is handled; used to show a regression in benchmarks.
- DEMO_API_VARIANT (default ""): "v2" adds `GET /docman/tickets/{ticket_id}/history`;
  used to prove the load tester notices a changed API.
- DEMO_FAIL_EVERY (default 0, never): every Nth HTTP request (not counting the OpenAPI
  documents) is answered 503 without being handled; used to show a failing gateway.
"""

import os
from dataclasses import dataclass


@dataclass(frozen=True)
class Settings:
    latency_ms: float
    api_variant: str
    fail_every: int = 0


def load_settings() -> Settings:
    raw = os.environ.get("DEMO_LATENCY_MS", "").strip() or "0"
    try:
        latency_ms = float(raw)
    except ValueError:
        raise SystemExit(f"DEMO_LATENCY_MS must be a number of milliseconds, got {raw!r}")
    if latency_ms < 0:
        raise SystemExit(f"DEMO_LATENCY_MS must not be negative, got {raw!r}")
    variant = os.environ.get("DEMO_API_VARIANT", "").strip().lower()
    raw = os.environ.get("DEMO_FAIL_EVERY", "").strip() or "0"
    if not raw.isdigit():
        raise SystemExit(f"DEMO_FAIL_EVERY must be a whole number of requests, got {raw!r}")
    return Settings(latency_ms=latency_ms, api_variant=variant, fail_every=int(raw))
