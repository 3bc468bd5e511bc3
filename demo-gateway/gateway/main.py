"""Root app of the Demo Gateway (`gateway.main:app`): gateway-level routes, the
request-counting/latency middleware, and the mounts of the two sub-apps."""

from fastapi import FastAPI
from pydantic import BaseModel, Field

from . import __version__, docman, documents, store
from .common import Health
from .middleware import GatewayMiddleware, RequestStats
from .settings import Settings, load_settings

GATEWAY_NAME = "demo-gateway"


class ServiceEntry(BaseModel):
    name: str
    prefix: str
    docs_url: str
    openapi_url: str


class ServiceList(BaseModel):
    services: list[ServiceEntry]


class GatewayInfo(BaseModel):
    name: str
    version: str
    services: list[str]


class LiveResources(BaseModel):
    sessions: int = Field(ge=0)
    documents: int = Field(ge=0)
    tickets: int = Field(ge=0)
    contacts: int = Field(ge=0)


class GatewayStatus(BaseModel):
    status: str
    uptime_seconds: float
    requests_served: int
    live_resources: LiveResources
    latency_ms: float
    api_variant: str


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or load_settings()
    stats = RequestStats()
    subapps = {
        "documents": ("/api/v1/documents", documents.create_app()),
        "docman": ("/docman", docman.create_app(settings.api_variant)),
    }
    services = [
        ServiceEntry(
            name=name,
            prefix=prefix,
            docs_url=prefix + (sub.docs_url or ""),
            openapi_url=prefix + (sub.openapi_url or ""),
        )
        for name, (prefix, sub) in subapps.items()
    ]

    app = FastAPI(title="Demo Gateway", version=__version__)
    app.add_middleware(
        GatewayMiddleware,
        stats=stats,
        latency_ms=settings.latency_ms,
        fail_every=settings.fail_every,
    )

    @app.get("/", response_model=GatewayInfo)
    async def root() -> GatewayInfo:
        return GatewayInfo(name=GATEWAY_NAME, version=__version__, services=list(subapps))

    @app.get("/health", response_model=Health)
    async def health() -> Health:
        return Health()

    @app.get("/gateway/status", response_model=GatewayStatus)
    async def gateway_status() -> GatewayStatus:
        return GatewayStatus(
            status="ok",
            uptime_seconds=round(stats.uptime_seconds(), 3),
            requests_served=stats.requests_served,
            live_resources=LiveResources(**store.live_counts()),
            latency_ms=settings.latency_ms,
            api_variant=settings.api_variant,
        )

    @app.get("/gateway/services", response_model=ServiceList)
    async def gateway_services() -> ServiceList:
        return ServiceList(services=services)

    for prefix, sub in subapps.values():
        app.mount(prefix, sub)
    return app


app = create_app()
