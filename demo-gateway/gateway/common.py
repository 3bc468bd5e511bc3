"""Response models shared by the root app and the sub-apps (health, errors, paging)."""

from typing import Literal

from pydantic import BaseModel


class Health(BaseModel):
    status: Literal["ok"] = "ok"


class ErrorMessage(BaseModel):
    """Body of 404/413 errors (FastAPI's HTTPException shape)."""

    detail: str


NOT_FOUND = {404: {"model": ErrorMessage, "description": "Not found"}}
