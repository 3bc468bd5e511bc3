"""A small FastAPI service with the traits of real third-party apps (Prefect, ZenML,
Argilla, LiteLLM), for running the load tester against for real.

`create_app()` builds a fresh app with its own in-memory state; `app` is one built from
the environment at import time. Env knobs (read by `create_app`):

  REALISTIC_AUTH        1 (default) = OAuth2 bearer token required; 0 = no auth at all
  REALISTIC_USERNAME    login user name (default `admin`)
  REALISTIC_PASSWORD    login password (default `admin-password`)
  REALISTIC_TOKEN_TTL   token lifetime in seconds (default 300)

Every handler and dependency is `async def`, so all state changes run on uvicorn's
single event loop with no `await` in the middle of a mutation: no locks needed.

Out-of-band routes (not in the OpenAPI document, never counted in /_fixture/requests):
  GET  /_fixture/inventory   counts of every resource kind stored now
  GET  /_fixture/requests    requests seen per (method, route template) and per status
  POST /_fixture/reset       back to the initial state (tokens stay valid)
"""

import base64
import binascii
import os
import re
import secrets
import time
import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, FastAPI, HTTPException, Query, Request, Response, status
from fastapi.security import OAuth2PasswordBearer, OAuth2PasswordRequestForm
from pydantic import BaseModel, ConfigDict, EmailStr, Field, field_validator
from starlette.responses import JSONResponse
from starlette.routing import Match
from starlette.types import ASGIApp, Receive, Scope, Send

# --------------------------------------------------------------------------- models


class HTTPError(BaseModel):
    """FastAPI's usual error body: `{"detail": "..."}`."""

    detail: str = Field(examples=["Work pool not found"])


class RPCError(BaseModel):
    """Error body of the RPC-style secrets API (ZenML/LiteLLM style)."""

    code: str = Field(examples=["resource_not_exists"])
    message: str = Field(examples=["Secret API_KEY does not exist"])


class Health(BaseModel):
    status: str = Field(examples=["ok"])


class Token(BaseModel):
    access_token: str
    token_type: str = Field(examples=["bearer"])


# Prefect's action models forbid unknown fields; so do these (422 `extra_forbidden`).
class ActionModel(BaseModel):
    model_config = ConfigDict(extra="forbid")


SlugName = Annotated[
    str, Field(min_length=1, max_length=40, pattern=r"^[a-z0-9-]+$", examples=["my-pool"])
]


class WorkPoolCreate(ActionModel):
    name: SlugName
    description: str | None = Field(default=None, max_length=500, examples=["Pool for nightly jobs"])
    concurrency_limit: int | None = Field(default=None, ge=0, examples=[10])


class WorkPoolUpdate(ActionModel):
    description: str | None = Field(default=None, max_length=500)
    concurrency_limit: int | None = Field(default=None, ge=0)


class WorkPool(BaseModel):
    id: uuid.UUID
    name: str = Field(examples=["default-pool"])
    description: str | None = None
    concurrency_limit: int | None = None


class WorkPoolFilter(ActionModel):
    limit: int = Field(default=200, ge=1, le=200)
    offset: int = Field(default=0, ge=0)


class WorkQueueCreate(ActionModel):
    name: Annotated[
        str, Field(min_length=1, max_length=40, pattern=r"^[a-z0-9-]+$", examples=["high-priority"])
    ]
    priority: int = Field(ge=1, le=100, examples=[1])


class WorkQueue(BaseModel):
    id: uuid.UUID
    name: str = Field(examples=["default"])
    priority: int
    work_pool_name: str


class ProjectCreate(BaseModel):
    name: str = Field(min_length=1, max_length=50, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$",
                      examples=["my-project"])
    description: str | None = Field(default=None, max_length=500, examples=["Annotation project"])

    # An app rule the schema does not show (as third-party apps have): the documented
    # example itself is refused with a 422 naming `body.description`.
    @field_validator("description")
    @classmethod
    def _one_word(cls, value: str | None) -> str | None:
        if value is not None and " " in value.strip():
            raise ValueError("a project description is one word")
        return value


class Project(BaseModel):
    id: str = Field(description="Opaque global id: url-safe base64 of `Project:<n>`, no padding",
                    examples=["UHJvamVjdDox"])
    name: str
    description: str | None = None


class ProjectEnvelope(BaseModel):
    data: Project


class ProjectPage(BaseModel):
    items: list[Project]
    total: int


class Member(BaseModel):
    username: str
    role: str = Field(examples=["owner"])


class MemberList(BaseModel):
    data: list[Member]


SecretName = Annotated[
    str, Field(min_length=1, max_length=64, pattern=r"^[A-Z][A-Z0-9_]*$", examples=["API_KEY"])
]


class SecretUpsert(BaseModel):
    name: SecretName
    value: str = Field(max_length=10_000, examples=["s3cr3t"])


class SecretUpsertResult(BaseModel):
    name: str
    created: bool


class SecretGet(BaseModel):
    name: SecretName


class Secret(BaseModel):
    name: str
    value: str


class SecretListRequest(BaseModel):
    limit: int | None = Field(default=None, ge=1, le=1000)


class SecretSummary(BaseModel):
    name: str


class SecretList(BaseModel):
    results: list[SecretSummary]


class SecretDelete(BaseModel):
    names: list[SecretName] = Field(min_length=1, max_length=100)


class SecretDeleteResult(BaseModel):
    deleted: int


class LimitCreate(ActionModel):
    name: Annotated[
        str, Field(min_length=1, max_length=40, pattern=r"^[a-z0-9-]+$", examples=["db-connections"])
    ]
    limit: int = Field(ge=1, le=1000, examples=[10])


class Limit(BaseModel):
    id: uuid.UUID
    name: str
    limit: int


class ArtifactCreate(ActionModel):
    key: str = Field(min_length=1, max_length=64, pattern=r"^[a-z][a-z0-9-]*$",
                     examples=["nightly-report"])
    data: dict[str, Any] = Field(examples=[{"rows": 42}])


class Artifact(BaseModel):
    id: uuid.UUID
    key: str
    version: int = Field(description="1 for the first artifact of a key, then +1 each")
    data: dict[str, Any]


class RunCreate(ActionModel):
    project: str = Field(min_length=1, max_length=64,
                         description="The project the run belongs to: its id (or name).")
    name: str = Field(min_length=1, max_length=40, examples=["nightly"])


class Run(BaseModel):
    id: uuid.UUID
    project: str
    name: str


Username = Annotated[
    str, Field(min_length=3, max_length=30, pattern=r"^[a-zA-Z0-9_]+$", examples=["jane_doe"])
]


class Flag(BaseModel):
    name: str
    enabled: bool


class FlagList(BaseModel):
    items: list[Flag]


class MeUpdate(ActionModel):
    username: Username


class UserCreate(BaseModel):
    email: EmailStr = Field(examples=["jane@example.com"])
    username: Username
    full_name: str | None = Field(default=None, max_length=100, examples=["Jane Doe"])


class UserUpdate(BaseModel):
    email: EmailStr | None = None
    username: Username | None = None
    full_name: str | None = Field(default=None, max_length=100)


class User(BaseModel):
    id: int
    email: str
    username: str
    full_name: str | None = None


# --------------------------------------------------------------------------- state

DEFAULT_POOL_ID = uuid.UUID("00000000-0000-4000-8000-000000000001")
DEFAULT_QUEUE_ID = uuid.UUID("00000000-0000-4000-8000-000000000002")


def project_global_id(n: int) -> str:
    return base64.urlsafe_b64encode(f"Project:{n}".encode()).decode().rstrip("=")


def project_number(identifier: str) -> int | None:
    """The n of an opaque `Project:<n>` id, or None when `identifier` is not one."""
    if not re.fullmatch(r"[A-Za-z0-9_-]+", identifier):
        return None
    try:
        raw = base64.urlsafe_b64decode(identifier + "=" * (-len(identifier) % 4))
        match = re.fullmatch(r"Project:([0-9]{1,18})", raw.decode("ascii"))
    except (binascii.Error, ValueError):
        return None
    if match is None:
        return None
    n = int(match.group(1))
    return n if project_global_id(n) == identifier else None


class Store:
    """All resources, in memory. `reset()` restores the deterministic initial state."""

    def __init__(self, owner: str) -> None:
        self.owner = owner
        self.reset()

    def reset(self) -> None:
        self.work_pools: dict[str, dict[str, Any]] = {}
        self.queues: dict[str, dict[str, dict[str, Any]]] = {}  # pool name -> queue name -> queue
        self.projects: dict[int, dict[str, Any]] = {}
        self.next_project = 1
        self.secrets: dict[int, dict[str, str]] = {}  # project n -> secret name -> value
        self.limits: dict[uuid.UUID, dict[str, Any]] = {}
        self.artifacts: dict[uuid.UUID, dict[str, Any]] = {}
        self.users: dict[int, dict[str, Any]] = {}
        self.next_user = 1
        self.runs: dict[uuid.UUID, dict[str, Any]] = {}
        self.flags = {"beta-ui": {"name": "beta-ui", "enabled": False}}  # no create, no delete
        self.flag_toggles = 0

        self.work_pools["default-pool"] = {
            "id": DEFAULT_POOL_ID, "name": "default-pool",
            "description": "The default work pool", "concurrency_limit": None,
        }
        self.queues["default-pool"] = {
            "default": {"id": DEFAULT_QUEUE_ID, "name": "default", "priority": 1,
                        "work_pool_name": "default-pool"},
        }
        self.add_project("default", "The default project", self.owner)

    def add_project(self, name: str, description: str | None, owner: str) -> dict[str, Any]:
        n = self.next_project
        self.next_project += 1
        project = {"n": n, "id": project_global_id(n), "name": name, "description": description,
                   "members": [{"username": owner, "role": "owner"}]}
        self.projects[n] = project
        self.secrets[n] = {}
        return project

    def find_project(self, identifier: str) -> dict[str, Any] | None:
        n = project_number(identifier)
        if n is not None and n in self.projects:
            return self.projects[n]
        for project in self.projects.values():
            if project["name"] == identifier:
                return project
        return None

    def find_limit(self, id_or_name: str) -> dict[str, Any] | None:
        try:
            limit_id = uuid.UUID(id_or_name)
        except ValueError:
            limit_id = None
        if limit_id is not None and limit_id in self.limits:
            return self.limits[limit_id]
        for limit in self.limits.values():
            if limit["name"] == id_or_name:
                return limit
        return None

    def inventory(self) -> dict[str, int]:
        return {
            "work_pools": len(self.work_pools),
            "queues": sum(len(q) for q in self.queues.values()),
            "projects": len(self.projects),
            "secrets": sum(len(s) for s in self.secrets.values()),
            "limits": len(self.limits),
            "artifacts": len(self.artifacts),
            "users": len(self.users),
            "runs": len(self.runs),
            "flag_toggles": self.flag_toggles,
        }


# --------------------------------------------------------------------------- middleware


class RequestStats:
    """Requests seen per (method, route template) and per status, /_fixture/* excluded."""

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self.total = 0
        self.fixture_requests = 0
        self.by_status: dict[int, int] = {}
        self.routes: dict[tuple[str, str], dict[str, Any]] = {}
        self.unmatched: dict[tuple[str, str], dict[str, Any]] = {}

    def record(self, scope: Scope, status_code: int, routes: list[Any]) -> None:
        route = scope.get("route")
        if route is None and not scope.get("realistic.outside_prefix"):
            # FastAPI 0.165 stores `route` only for its own APIRoutes; plain Starlette
            # routes (openapi.json, /docs) are looked up again here.
            probe = {k: scope[k] for k in ("type", "path", "root_path", "method") if k in scope}
            for candidate in routes:
                if candidate.matches(dict(probe))[0] is Match.FULL:
                    route = candidate
                    break
        template = getattr(route, "path", None)
        if isinstance(template, str) and template.startswith("/_fixture/"):
            self.fixture_requests += 1
            return
        self.total += 1
        self.by_status[status_code] = self.by_status.get(status_code, 0) + 1
        method = scope["method"]
        if isinstance(template, str):
            entry = self.routes.setdefault((method, template), {
                "method": method, "route": template,
                "in_schema": bool(getattr(route, "include_in_schema", False)),
                "count": 0, "statuses": {},
            })
        else:
            entry = self.unmatched.setdefault((method, scope["path"]), {
                "method": method, "path": scope["path"], "count": 0, "statuses": {},
            })
        entry["count"] += 1
        key = str(status_code)
        entry["statuses"][key] = entry["statuses"].get(key, 0) + 1

    def report(self) -> dict[str, Any]:
        return {
            "total": self.total,
            "by_status": {str(k): v for k, v in sorted(self.by_status.items())},
            "routes": sorted(self.routes.values(), key=lambda e: (e["route"], e["method"])),
            "unmatched": sorted(self.unmatched.values(), key=lambda e: (e["path"], e["method"])),
            "fixture_requests": self.fixture_requests,
        }


class CountRequests:
    """Pure ASGI middleware: after each HTTP request, records its route and status.
    The router stores the matched APIRoute in the (shared) scope as `route`; other
    routes are matched again against `routes` (the app's live route list)."""

    def __init__(self, app: ASGIApp, stats: RequestStats, routes: list[Any]) -> None:
        self.app = app
        self.stats = stats
        self.routes = routes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        seen = {"status": 500}

        async def send_and_note(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                seen["status"] = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_and_note)
        finally:
            self.stats.record(scope, seen["status"], self.routes)


class ServeUnderPrefix:
    """Serves the app only under `prefix` (e.g. `/api`), the way a mount does: a request
    for `/api/x` keeps `path` `/api/x` and gets `root_path` `/api`, so routing sees `/x`
    and FastAPI adds `{"url": "/api"}` to the OpenAPI `servers`. Anything outside the
    prefix answers 404 `{"detail": "Not Found"}`."""

    def __init__(self, app: ASGIApp, prefix: str) -> None:
        self.app = app
        self.prefix = prefix

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket"):
            path: str = scope["path"]
            if path != self.prefix and not path.startswith(self.prefix + "/"):
                scope["realistic.outside_prefix"] = True  # for RequestStats: unmatched
                if scope["type"] == "http":
                    await JSONResponse({"detail": "Not Found"}, status_code=404)(scope, receive, send)
                return
            scope["root_path"] = scope.get("root_path", "") + self.prefix  # in place: see CountRequests
        await self.app(scope, receive, send)


# --------------------------------------------------------------------------- app


def _env_flag(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    return value.strip().lower() not in ("0", "false", "no", "off")


def _not_found(what: str) -> HTTPException:
    return HTTPException(status_code=status.HTTP_404_NOT_FOUND, detail=f"{what} not found")


def _conflict(what: str) -> HTTPException:
    return HTTPException(status_code=status.HTTP_409_CONFLICT, detail=f"{what} already exists")


def _errors(*codes: int) -> dict[int | str, dict[str, Any]]:
    descriptions = {400: "Bad request", 401: "Not authenticated", 404: "Not found", 409: "Conflict"}
    return {code: {"model": HTTPError, "description": descriptions[code]} for code in codes}


def create_app(root_path: str = "") -> FastAPI:
    """A fresh app and state. `root_path` (e.g. `/api`) serves the whole app under it."""
    auth_on = _env_flag("REALISTIC_AUTH", True)
    username = os.environ.get("REALISTIC_USERNAME", "admin")
    password = os.environ.get("REALISTIC_PASSWORD", "admin-password")
    token_ttl = float(os.environ.get("REALISTIC_TOKEN_TTL", "300"))

    store = Store(owner=username)
    login_name = {"username": username}  # PUT /me renames the login
    stats = RequestStats()
    tokens: dict[str, tuple[str, float]] = {}  # token -> (user, monotonic expiry)

    app = FastAPI(
        title="Realistic service",
        version="1.0.0",
        description="A small service with the traits of real FastAPI apps (Prefect, ZenML, "
                    "Argilla, LiteLLM): name-keyed resources, opaque ids, RPC-style routes, "
                    "OAuth2 password flow, strict validation.",
    )

    oauth2_scheme = OAuth2PasswordBearer(tokenUrl="auth/token")

    async def current_user(token: Annotated[str, Depends(oauth2_scheme)]) -> str:
        entry = tokens.get(token)
        if entry is None:
            raise HTTPException(status.HTTP_401_UNAUTHORIZED, "Could not validate credentials",
                                headers={"WWW-Authenticate": "Bearer"})
        user, expires = entry
        if time.monotonic() >= expires:
            del tokens[token]
            raise HTTPException(status.HTTP_401_UNAUTHORIZED, "Token expired",
                                headers={"WWW-Authenticate": "Bearer"})
        return user

    async def no_auth_user() -> str:
        return username

    user_dep = current_user if auth_on else no_auth_user
    CurrentUser = Annotated[str, Depends(user_dep)]
    protected = {"dependencies": [Depends(user_dep)], "responses": _errors(401) if auth_on else {}}

    # ------------------------------------------------------------------ public

    @app.get("/health", response_model=Health, tags=["health"])
    async def health() -> dict[str, str]:
        return {"status": "ok"}

    @app.post("/auth/token", response_model=Token, tags=["auth"], responses=_errors(400))
    async def login(form: Annotated[OAuth2PasswordRequestForm, Depends()]) -> dict[str, str]:
        ok_user = secrets.compare_digest(form.username.encode(), login_name["username"].encode())
        ok_password = secrets.compare_digest(form.password.encode(), password.encode())
        if not (ok_user and ok_password):
            raise HTTPException(status.HTTP_400_BAD_REQUEST, "Incorrect username or password")
        now = time.monotonic()
        for stale in [t for t, (_, exp) in tokens.items() if exp <= now]:
            del tokens[stale]
        token = secrets.token_urlsafe(32)
        tokens[token] = (form.username, now + token_ttl)
        return {"access_token": token, "token_type": "bearer"}

    # ------------------------------------------------------------------ the caller's own login

    me = APIRouter(tags=["auth"], **protected)

    @me.post("/auth/logout", status_code=204, response_class=Response)
    async def logout(request: Request) -> Response:
        token = request.headers.get("authorization", "").removeprefix("Bearer ").strip()
        tokens.pop(token, None)
        return Response(status_code=204)

    @me.put("/me", response_model=MeUpdate)
    async def update_me(body: MeUpdate) -> dict[str, str]:
        login_name["username"] = body.username
        return {"username": body.username}

    app.include_router(me)

    # ------------------------------------------------------------------ work pools (Prefect)

    pools = APIRouter(prefix="/work_pools", tags=["work pools"], **protected)

    def get_pool(name: str) -> dict[str, Any]:
        pool = store.work_pools.get(name)
        if pool is None:
            raise _not_found("Work pool")
        return pool

    @pools.post("/", response_model=WorkPool, status_code=201, responses=_errors(409))
    async def create_work_pool(body: WorkPoolCreate) -> dict[str, Any]:
        if body.name in store.work_pools:
            raise _conflict("Work pool")
        pool = {"id": uuid.uuid4(), **body.model_dump()}
        store.work_pools[body.name] = pool
        store.queues[body.name] = {}
        return pool

    @pools.post("/filter", response_model=list[WorkPool])
    async def read_work_pools(
        body: Annotated[WorkPoolFilter, Body()] = WorkPoolFilter(),
    ) -> list[dict[str, Any]]:
        ordered = [store.work_pools[name] for name in sorted(store.work_pools)]
        return ordered[body.offset: body.offset + body.limit]

    @pools.post("/count", response_model=int)
    async def count_work_pools() -> int:
        return len(store.work_pools)

    @pools.get("/{name}", response_model=WorkPool, responses=_errors(404))
    async def read_work_pool(name: str) -> dict[str, Any]:
        return get_pool(name)

    @pools.patch("/{name}", response_model=WorkPool, responses=_errors(404))
    async def update_work_pool(name: str, body: WorkPoolUpdate) -> dict[str, Any]:
        pool = get_pool(name)
        pool.update(body.model_dump(exclude_unset=True))
        return pool

    @pools.delete("/{name}", status_code=204, response_class=Response, responses=_errors(404))
    async def delete_work_pool(name: str) -> Response:
        get_pool(name)
        del store.work_pools[name]
        store.queues.pop(name, None)
        return Response(status_code=204)

    @pools.post("/{work_pool_name}/queues/", response_model=WorkQueue, status_code=201,
                responses=_errors(404, 409))
    async def create_work_queue(work_pool_name: str, body: WorkQueueCreate) -> dict[str, Any]:
        get_pool(work_pool_name)
        queues = store.queues[work_pool_name]
        if body.name in queues:
            raise _conflict("Work queue")
        queue = {"id": uuid.uuid4(), "name": body.name, "priority": body.priority,
                 "work_pool_name": work_pool_name}
        queues[body.name] = queue
        return queue

    @pools.get("/{work_pool_name}/queues/", response_model=list[WorkQueue], responses=_errors(404))
    async def read_work_queues(
        work_pool_name: str, limit: Annotated[int, Query(ge=1, le=200)] = 50,
    ) -> list[dict[str, Any]]:
        get_pool(work_pool_name)
        queues = store.queues[work_pool_name]
        return [queues[name] for name in sorted(queues)][:limit]

    @pools.get("/{work_pool_name}/queues/{name}", response_model=WorkQueue, responses=_errors(404))
    async def read_work_queue(work_pool_name: str, name: str) -> dict[str, Any]:
        get_pool(work_pool_name)
        queue = store.queues[work_pool_name].get(name)
        if queue is None:
            raise _not_found("Work queue")
        return queue

    @pools.delete("/{work_pool_name}/queues/{name}", status_code=204, response_class=Response,
                  responses=_errors(404))
    async def delete_work_queue(work_pool_name: str, name: str) -> Response:
        get_pool(work_pool_name)
        if store.queues[work_pool_name].pop(name, None) is None:
            raise _not_found("Work queue")
        return Response(status_code=204)

    app.include_router(pools)

    # ------------------------------------------------------------------ projects (Argilla-like ids)

    projects = APIRouter(prefix="/projects", tags=["projects"], **protected)

    def get_project(identifier: str) -> dict[str, Any]:
        project = store.find_project(identifier)
        if project is None:
            raise _not_found("Project")
        return project

    def project_out(project: dict[str, Any]) -> dict[str, Any]:
        return {"id": project["id"], "name": project["name"], "description": project["description"]}

    @projects.post("", response_model=ProjectEnvelope, status_code=201, responses=_errors(409))
    async def create_project(body: ProjectCreate, user: CurrentUser) -> dict[str, Any]:
        if any(p["name"] == body.name for p in store.projects.values()):
            raise _conflict("Project")
        return {"data": project_out(store.add_project(body.name, body.description, user))}

    @projects.get("", response_model=ProjectPage)
    async def list_projects(
        limit: Annotated[int, Query(ge=1, le=200)] = 50,
        offset: Annotated[int, Query(ge=0)] = 0,
    ) -> dict[str, Any]:
        ordered = [project_out(store.projects[n]) for n in sorted(store.projects)]
        return {"items": ordered[offset: offset + limit], "total": len(ordered)}

    @projects.get("/{project_identifier}", response_model=ProjectEnvelope, responses=_errors(404))
    async def get_project_route(project_identifier: str) -> dict[str, Any]:
        return {"data": project_out(get_project(project_identifier))}

    @projects.delete("/{project_identifier}", status_code=204, response_class=Response,
                     responses=_errors(404))
    async def delete_project(project_identifier: str) -> Response:
        project = get_project(project_identifier)
        del store.projects[project["n"]]
        store.secrets.pop(project["n"], None)
        return Response(status_code=204)

    @projects.get("/{project_identifier}/members", response_model=MemberList, responses=_errors(404))
    async def list_project_members(project_identifier: str) -> dict[str, Any]:
        return {"data": list(get_project(project_identifier)["members"])}

    app.include_router(projects)

    # ------------------------------------------------------------------ secrets (RPC style)

    rpc_responses = {404: {"model": HTTPError, "description": "Project not found"}}
    rpc = APIRouter(prefix="/project/{project}/secrets", tags=["secrets"], **protected)

    def project_secrets(project: str) -> dict[str, str]:
        return store.secrets[get_project(project)["n"]]

    @rpc.post("/create_or_update", response_model=SecretUpsertResult, responses=rpc_responses)
    async def create_or_update_secret(project: str, body: SecretUpsert) -> dict[str, Any]:
        bucket = project_secrets(project)
        created = body.name not in bucket
        bucket[body.name] = body.value
        return {"name": body.name, "created": created}

    @rpc.post("/get", response_model=Secret,
              responses={400: {"model": RPCError, "description": "Secret does not exist"},
                         **rpc_responses})
    async def get_secret(project: str, body: SecretGet) -> Any:
        bucket = project_secrets(project)
        if body.name not in bucket:
            return JSONResponse(status_code=400, content={
                "code": "resource_not_exists", "message": f"Secret {body.name} does not exist"})
        return {"name": body.name, "value": bucket[body.name]}

    @rpc.post("/list", response_model=SecretList, responses=rpc_responses)
    async def list_secrets(project: str, body: SecretListRequest) -> dict[str, Any]:
        names = sorted(project_secrets(project))
        if body.limit is not None:
            names = names[: body.limit]
        return {"results": [{"name": name} for name in names]}

    @rpc.post("/delete", response_model=SecretDeleteResult, responses=rpc_responses)
    async def delete_secrets(project: str, body: SecretDelete) -> dict[str, int]:
        bucket = project_secrets(project)
        deleted = 0
        for name in dict.fromkeys(body.names):
            if bucket.pop(name, None) is not None:
                deleted += 1
        return {"deleted": deleted}

    app.include_router(rpc)

    # ------------------------------------------------------------------ limits (id_or_name)

    limits = APIRouter(prefix="/v2/limits", tags=["concurrency limits"], **protected)

    def get_limit(id_or_name: str) -> dict[str, Any]:
        limit = store.find_limit(id_or_name)
        if limit is None:
            raise _not_found("Concurrency limit")
        return limit

    @limits.post("/", response_model=Limit, status_code=201, responses=_errors(409))
    async def create_limit(body: LimitCreate) -> dict[str, Any]:
        if any(l["name"] == body.name for l in store.limits.values()):
            raise _conflict("Concurrency limit")
        limit = {"id": uuid.uuid4(), "name": body.name, "limit": body.limit}
        store.limits[limit["id"]] = limit
        return limit

    @limits.get("/{id_or_name}", response_model=Limit, responses=_errors(404))
    async def read_limit(id_or_name: str) -> dict[str, Any]:
        return get_limit(id_or_name)

    @limits.delete("/{id_or_name}", status_code=204, response_class=Response,
                   responses=_errors(404))
    async def delete_limit(id_or_name: str) -> Response:
        del store.limits[get_limit(id_or_name)["id"]]
        return Response(status_code=204)

    app.include_router(limits)

    # ------------------------------------------------------------------ artifacts (key)

    artifacts = APIRouter(prefix="/artifacts", tags=["artifacts"], **protected)

    @artifacts.post("/", response_model=Artifact, status_code=201)
    async def create_artifact(body: ArtifactCreate) -> dict[str, Any]:
        version = 1 + max((a["version"] for a in store.artifacts.values() if a["key"] == body.key),
                          default=0)
        artifact = {"id": uuid.uuid4(), "key": body.key, "version": version, "data": body.data}
        store.artifacts[artifact["id"]] = artifact
        return artifact

    @artifacts.get("/{key}/latest", response_model=Artifact, responses=_errors(404))
    async def read_latest_artifact(key: str) -> dict[str, Any]:
        versions = [a for a in store.artifacts.values() if a["key"] == key]
        if not versions:
            raise _not_found("Artifact")
        return max(versions, key=lambda a: a["version"])

    @artifacts.delete("/{id}", status_code=204, response_class=Response, responses=_errors(404))
    async def delete_artifact(id: uuid.UUID) -> Response:  # noqa: A002 - the documented name
        if store.artifacts.pop(id, None) is None:
            raise _not_found("Artifact")
        return Response(status_code=204)

    app.include_router(artifacts)

    # ------------------------------------------------------------------ users (unique email)

    users = APIRouter(prefix="/users", tags=["users"], **protected)

    def get_user(user_id: int) -> dict[str, Any]:
        user = store.users.get(user_id)
        if user is None:
            raise _not_found("User")
        return user

    def check_unique(email: str | None, name: str | None, skip: int | None = None) -> None:
        for other in store.users.values():
            if other["id"] == skip:
                continue
            if email is not None and other["email"].casefold() == email.casefold():
                raise HTTPException(status.HTTP_409_CONFLICT, "Email already registered")
            if name is not None and other["username"].casefold() == name.casefold():
                raise HTTPException(status.HTTP_409_CONFLICT, "Username already taken")

    @users.post("/", response_model=User, status_code=201, responses=_errors(409))
    async def create_user(body: UserCreate) -> dict[str, Any]:
        check_unique(body.email, body.username)
        user = {"id": store.next_user, **body.model_dump()}
        store.next_user += 1
        store.users[user["id"]] = user
        return user

    @users.get("/{user_id}", response_model=User, responses=_errors(404))
    async def read_user(user_id: int) -> dict[str, Any]:
        return get_user(user_id)

    @users.patch("/{user_id}", response_model=User, responses=_errors(404, 409))
    async def update_user(user_id: int, body: UserUpdate) -> dict[str, Any]:
        user = get_user(user_id)
        changes = body.model_dump(exclude_unset=True)
        for field in ("email", "username"):  # null means "leave as is"; full_name may be cleared
            if changes.get(field, "") is None:
                del changes[field]
        check_unique(changes.get("email"), changes.get("username"), skip=user_id)
        user.update(changes)
        return user

    @users.delete("/{user_id}", status_code=204, response_class=Response, responses=_errors(404))
    async def delete_user(user_id: int) -> Response:
        get_user(user_id)
        del store.users[user_id]
        return Response(status_code=204)

    app.include_router(users)

    # ------------------------------------------------------------------ runs (bare reference)

    runs = APIRouter(prefix="/runs", tags=["runs"], **protected)

    @runs.post("/", response_model=Run, status_code=201, responses=_errors(404))
    async def create_run(body: RunCreate) -> dict[str, Any]:
        project = store.find_project(body.project)
        if project is None:
            raise _not_found("Project")
        run = {"id": uuid.uuid4(), "project": project["id"], "name": body.name}
        store.runs[run["id"]] = run
        return run

    @runs.get("/{run_id}", response_model=Run, responses=_errors(404))
    async def read_run(run_id: uuid.UUID) -> dict[str, Any]:
        run = store.runs.get(run_id)
        if run is None:
            raise _not_found("Run")
        return run

    @runs.delete("/{run_id}", status_code=204, response_class=Response, responses=_errors(404))
    async def delete_run(run_id: uuid.UUID) -> Response:
        if store.runs.pop(run_id, None) is None:
            raise _not_found("Run")
        return Response(status_code=204)

    app.include_router(runs)

    # ------------------------------------------------------------------ flags (action only)

    flags = APIRouter(prefix="/flags", tags=["flags"], **protected)

    @flags.get("", response_model=FlagList)
    async def read_flags() -> dict[str, Any]:
        return {"items": list(store.flags.values())}

    @flags.post("/{flag_name}/toggle", response_model=Flag, responses=_errors(404))
    async def toggle_flag(flag_name: str) -> dict[str, Any]:
        flag = store.flags.get(flag_name)
        if flag is None:
            raise _not_found("Flag")
        flag["enabled"] = not flag["enabled"]
        store.flag_toggles += 1
        return flag

    app.include_router(flags)

    # ------------------------------------------------------------------ out of band

    @app.get("/_fixture/inventory", include_in_schema=False)
    async def fixture_inventory() -> dict[str, int]:
        return store.inventory()

    @app.get("/_fixture/requests", include_in_schema=False)
    async def fixture_requests() -> dict[str, Any]:
        return stats.report()

    @app.post("/_fixture/reset", include_in_schema=False)
    async def fixture_reset() -> dict[str, Any]:
        store.reset()
        stats.reset()
        return {"status": "reset", "inventory": store.inventory()}

    # add_middleware puts the last one outermost: CountRequests sees every request,
    # including those ServeUnderPrefix turns away.
    root_path = root_path.rstrip("/")
    if root_path:
        app.add_middleware(ServeUnderPrefix, prefix=root_path)
    app.add_middleware(CountRequests, stats=stats, routes=app.routes)
    app.state.store = store
    app.state.stats = stats
    return app


app = create_app()
