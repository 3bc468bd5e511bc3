"""Docman sub-app (mounted at /docman): tickets and contacts.

Its models deliberately exercise the OpenAPI features a load tester must handle:
Optional fields, EmailStr, UUID, string enums (also as a query parameter), a nested
model, a bounded list, ge/le and gt/lt numbers, a string pattern, field examples, a
path parameter literally named `{id}`, PUT vs PATCH, a GET+POST route sharing
one operationId, and 201/204/404/422 codes.
With DEMO_API_VARIANT=v2 the app gains `GET /tickets/{ticket_id}/history`.
"""

from datetime import datetime, timezone
from enum import Enum
from typing import Annotated
from uuid import UUID, uuid4

from fastapi import APIRouter, FastAPI, HTTPException, Query, Response, status
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, EmailStr, Field, StringConstraints

from . import __version__, store
from .common import NOT_FOUND, Health

MAX_EVENTS_PER_TICKET = 50


# ----- models -----------------------------------------------------------------


class Priority(str, Enum):
    low = "low"
    medium = "medium"
    high = "high"
    urgent = "urgent"


class Status(str, Enum):
    open = "open"
    in_progress = "in_progress"
    closed = "closed"


class Reporter(BaseModel):
    name: str = Field(min_length=1, max_length=100, examples=["Ada Lovelace"])
    email: EmailStr = Field(examples=["ada@example.com"])


Tag = Annotated[str, StringConstraints(min_length=1, max_length=32)]
TicketCode = Annotated[str, Field(pattern=r"^[A-Z]{3}-[0-9]{4}$", examples=["OPS-0042"])]
Title = Annotated[str, Field(min_length=1, max_length=200, examples=["Printer on fire"])]
Description = Annotated[str, Field(max_length=2000)]
Severity = Annotated[int, Field(gt=0, lt=6, examples=[3])]
EstimateHours = Annotated[float, Field(ge=0, le=1000, examples=[4.5])]
Tags = Annotated[list[Tag], Field(max_length=10, examples=[["printer", "floor-3"]])]


class TicketIn(BaseModel):
    """Body of POST /tickets and PUT /tickets/{ticket_id} (full replacement)."""

    title: Title
    description: Description | None = None
    code: TicketCode
    priority: Priority = Priority.medium
    status: Status = Status.open
    severity: Severity = 3
    estimate_hours: EstimateHours
    reporter: Reporter
    assignee_email: EmailStr | None = None
    tags: Tags = []
    contact_id: UUID | None = Field(None, description="Free reference to a contact; not checked")


class Ticket(TicketIn):
    id: UUID
    created_at: datetime
    updated_at: datetime


class TicketPatch(BaseModel):
    """Body of PATCH /tickets/{ticket_id}: only the fields sent are changed."""

    title: Title | None = None
    description: Description | None = None
    code: TicketCode | None = None
    priority: Priority | None = None
    status: Status | None = None
    severity: Severity | None = None
    estimate_hours: EstimateHours | None = None
    reporter: Reporter | None = None
    assignee_email: EmailStr | None = None
    tags: Tags | None = None
    contact_id: UUID | None = None


NULLABLE_TICKET_FIELDS = {"description", "assignee_email", "contact_id"}


class TicketList(BaseModel):
    items: list[Ticket]
    total: int
    limit: int
    offset: int


class EventKind(str, Enum):
    created = "created"
    replaced = "replaced"
    patched = "patched"


class TicketEvent(BaseModel):
    at: datetime
    kind: EventKind
    changed_fields: list[str]


class TicketHistory(BaseModel):
    ticket_id: UUID
    events: list[TicketEvent]


class ContactIn(BaseModel):
    name: str = Field(min_length=1, max_length=100, examples=["Grace Hopper"])
    email: EmailStr = Field(examples=["grace@example.com"])
    phone: str | None = Field(None, pattern=r"^\+?[0-9][0-9 ()-]{5,19}$", examples=["+1 555 0100"])


class Contact(ContactIn):
    id: UUID
    created_at: datetime


# ----- state ------------------------------------------------------------------
# store.tickets: id -> _TicketRecord; store.contacts: id -> Contact


class _TicketRecord:
    __slots__ = ("ticket", "events")

    def __init__(self, ticket: Ticket, event: TicketEvent) -> None:
        self.ticket = ticket
        self.events = [event]

    def record(self, event: TicketEvent) -> None:
        self.events.append(event)
        del self.events[:-MAX_EVENTS_PER_TICKET]


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _ticket_or_404(ticket_id: UUID) -> _TicketRecord:
    record = store.tickets.get(ticket_id)
    if record is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"ticket {ticket_id} not found")
    return record


def _contact_or_404(contact_id: UUID) -> Contact:
    contact = store.contacts.get(contact_id)
    if contact is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"contact {contact_id} not found")
    return contact


# ----- routes -----------------------------------------------------------------

router = APIRouter()


@router.get("/health", response_model=Health)
async def health() -> Health:
    return Health()


@router.api_route("/ping", methods=["GET", "POST"], response_model=Health)
async def ping() -> Health:
    """One function for two methods: FastAPI gives both operations the same
    operationId (`ping_ping_get`), as real apps do; clients must key by method+path."""
    return Health()


@router.post("/tickets", response_model=Ticket, status_code=status.HTTP_201_CREATED)
async def create_ticket(body: TicketIn) -> Ticket:
    now = _now()
    ticket = Ticket(**body.model_dump(), id=uuid4(), created_at=now, updated_at=now)
    event = TicketEvent(at=now, kind=EventKind.created, changed_fields=[])
    store.tickets.add(ticket.id, _TicketRecord(ticket, event))
    return ticket


@router.get("/tickets", response_model=TicketList)
async def list_tickets(
    status_: Status | None = Query(None, alias="status", description="Only tickets in this status"),
    priority: Priority | None = Query(None, description="Only tickets with this priority"),
    limit: int = Query(20, ge=1, le=100),
    offset: int = Query(0, ge=0),
) -> TicketList:
    matching = [
        r.ticket
        for r in store.tickets.values()
        if (status_ is None or r.ticket.status == status_)
        and (priority is None or r.ticket.priority == priority)
    ]
    return TicketList(
        items=matching[offset : offset + limit], total=len(matching), limit=limit, offset=offset
    )


@router.get("/tickets/{ticket_id}", response_model=Ticket, responses=NOT_FOUND)
async def get_ticket(ticket_id: UUID) -> Ticket:
    return _ticket_or_404(ticket_id).ticket


@router.put("/tickets/{ticket_id}", response_model=Ticket, responses=NOT_FOUND)
async def replace_ticket(ticket_id: UUID, body: TicketIn) -> Ticket:
    record = _ticket_or_404(ticket_id)
    now = _now()
    record.ticket = Ticket(
        **body.model_dump(), id=ticket_id, created_at=record.ticket.created_at, updated_at=now
    )
    record.record(TicketEvent(at=now, kind=EventKind.replaced, changed_fields=sorted(TicketIn.model_fields)))
    return record.ticket


@router.patch("/tickets/{ticket_id}", response_model=Ticket, responses=NOT_FOUND)
async def patch_ticket(ticket_id: UUID, body: TicketPatch) -> Ticket:
    record = _ticket_or_404(ticket_id)
    changes = body.model_dump(exclude_unset=True)
    nulls = [k for k, v in changes.items() if v is None and k not in NULLABLE_TICKET_FIELDS]
    if nulls:
        raise RequestValidationError(
            [{"type": "null_not_allowed", "loc": ("body", k), "msg": "Field may not be null", "input": None} for k in nulls]
        )
    now = _now()
    merged = {**record.ticket.model_dump(), **changes, "updated_at": now}
    record.ticket = Ticket.model_validate(merged)
    record.record(TicketEvent(at=now, kind=EventKind.patched, changed_fields=sorted(changes)))
    return record.ticket


@router.delete(
    "/tickets/{ticket_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    responses=NOT_FOUND,
)
async def delete_ticket(ticket_id: UUID) -> Response:
    _ticket_or_404(ticket_id)
    store.tickets.pop(ticket_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/contacts", response_model=Contact, status_code=status.HTTP_201_CREATED)
async def create_contact(body: ContactIn) -> Contact:
    contact = Contact(**body.model_dump(), id=uuid4(), created_at=_now())
    store.contacts.add(contact.id, contact)
    return contact


@router.get("/contacts/{id}", response_model=Contact, responses=NOT_FOUND)
async def get_contact(id: UUID) -> Contact:
    return _contact_or_404(id)


@router.delete(
    "/contacts/{id}",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    responses=NOT_FOUND,
)
async def delete_contact(id: UUID) -> Response:
    _contact_or_404(id)
    store.contacts.pop(id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


v2_router = APIRouter()


@v2_router.get("/tickets/{ticket_id}/history", response_model=TicketHistory, responses=NOT_FOUND)
async def ticket_history(ticket_id: UUID) -> TicketHistory:
    record = _ticket_or_404(ticket_id)
    return TicketHistory(ticket_id=ticket_id, events=record.events)


def create_app(api_variant: str = "") -> FastAPI:
    app = FastAPI(title="Docman", version=__version__, description="Tickets and contacts.")
    app.include_router(router)
    if api_variant == "v2":
        app.include_router(v2_router)
    return app
