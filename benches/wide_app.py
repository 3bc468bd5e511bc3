"""A wide FastAPI app for coverage measurements: GROUPS resource kinds, five operations
each (create, list, get, update, delete: 5 x GROUPS operations), kept in memory. It is
what a paced `light` run has to cover on a large API, with answers a real app would
give (201 with the created id, 404 for an unknown id, 422 from FastAPI's validation).

    demo-gateway/.venv/bin/python benches/wide_app.py [--groups 38] [--port 0]

Binds 127.0.0.1 only; prints `listening on http://127.0.0.1:<port>` once it serves.
"""

import argparse
import itertools
import socket
from enum import Enum
from typing import Optional

import uvicorn
from fastapi import APIRouter, FastAPI, HTTPException, Query
from pydantic import BaseModel, Field


class Status(str, Enum):
    active = "active"
    archived = "archived"


def group(k: int) -> APIRouter:
    """The five operations over `/things{k}`: a kind of its own, named for its tag."""
    router = APIRouter(prefix=f"/things{k}", tags=[f"things{k}"])
    store: dict[int, dict] = {}
    ids = itertools.count(1)

    class ThingIn(BaseModel):
        name: str = Field(min_length=1, max_length=64)
        quantity: int = Field(default=1, ge=0, le=1000)
        status: Status = Status.active
        note: Optional[str] = None

    class Thing(ThingIn):
        id: int

    ThingIn.__name__ = f"Thing{k}In"
    Thing.__name__ = f"Thing{k}"

    @router.post("", status_code=201, response_model=Thing, operation_id=f"create_thing{k}")
    def create(body: ThingIn) -> Thing:
        thing = Thing(id=next(ids), **body.model_dump())
        store[thing.id] = thing.model_dump()
        return thing

    @router.get("", response_model=list[Thing], operation_id=f"list_things{k}")
    def listing(limit: int = Query(20, ge=1, le=100), status: Optional[Status] = None):
        found = [t for t in store.values() if status is None or t["status"] == status]
        return found[:limit]

    @router.get("/{thing_id}", response_model=Thing, operation_id=f"get_thing{k}")
    def get(thing_id: int) -> dict:
        if thing_id not in store:
            raise HTTPException(404, "no such thing")
        return store[thing_id]

    @router.put("/{thing_id}", response_model=Thing, operation_id=f"update_thing{k}")
    def update(thing_id: int, body: ThingIn) -> dict:
        if thing_id not in store:
            raise HTTPException(404, "no such thing")
        store[thing_id] = {"id": thing_id, **body.model_dump()}
        return store[thing_id]

    @router.delete("/{thing_id}", status_code=204, operation_id=f"delete_thing{k}")
    def delete(thing_id: int) -> None:
        if store.pop(thing_id, None) is None:
            raise HTTPException(404, "no such thing")

    return router


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--groups", type=int, default=38)
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()
    app = FastAPI(title=f"wide app ({5 * args.groups} operations)")
    for k in range(args.groups):
        app.include_router(group(k))
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", args.port))
    sock.listen(128)
    print(f"listening on http://127.0.0.1:{sock.getsockname()[1]}", flush=True)
    config = uvicorn.Config(app, log_level="warning")
    uvicorn.Server(config).run(sockets=[sock])


if __name__ == "__main__":
    main()
