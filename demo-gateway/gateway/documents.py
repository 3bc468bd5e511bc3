"""Document service sub-app (mounted at /api/v1/documents): upload sessions and the
metadata of documents uploaded into them. Only metadata, size and sha256 are kept,
never the bytes."""

import hashlib
from itertools import islice
from datetime import datetime, timezone
from uuid import UUID, uuid4

from fastapi import APIRouter, FastAPI, File, Form, HTTPException, Query, Response, UploadFile, status
from pydantic import BaseModel, Field

from . import __version__, store
from .common import NOT_FOUND, ErrorMessage, Health

SERVICE_NAME = "documents"
MAX_UPLOAD_BYTES = 1024 * 1024  # 1 MiB; larger uploads get 413
_CHUNK = 64 * 1024


# ----- models -----------------------------------------------------------------


class SessionCreate(BaseModel):
    label: str | None = Field(None, max_length=64, examples=["nightly-run"])


class Session(BaseModel):
    session_id: UUID
    label: str | None = None
    created_at: datetime
    document_count: int = Field(ge=0)


class Document(BaseModel):
    doc_id: UUID
    session_id: UUID
    filename: str
    content_type: str | None = None
    title: str | None = None
    size: int = Field(ge=0, le=MAX_UPLOAD_BYTES)
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    uploaded_at: datetime


class DocumentList(BaseModel):
    items: list[Document]
    total: int
    limit: int
    offset: int


class ServiceCounts(BaseModel):
    sessions: int
    documents: int


class ServiceInfo(BaseModel):
    name: str
    version: str
    max_upload_bytes: int
    counts: ServiceCounts


# ----- state ------------------------------------------------------------------
# store.sessions: session_id -> _SessionRecord; store.documents: doc_id -> Document


class _SessionRecord:
    __slots__ = ("session", "doc_ids")

    def __init__(self, session: Session) -> None:
        self.session = session
        self.doc_ids: dict[UUID, None] = {}  # insertion-ordered set


def _on_session_evicted(_sid: UUID, record: _SessionRecord) -> None:
    for doc_id in record.doc_ids:
        store.documents.pop(doc_id)


def _on_document_evicted(doc_id: UUID, doc: Document) -> None:
    record = store.sessions.get(doc.session_id)
    if record is not None:
        record.doc_ids.pop(doc_id, None)


store.sessions.on_evict = _on_session_evicted
store.documents.on_evict = _on_document_evicted


def _session_or_404(session_id: UUID) -> _SessionRecord:
    record = store.sessions.get(session_id)
    if record is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"session {session_id} not found")
    return record


def _session_view(record: _SessionRecord) -> Session:
    return record.session.model_copy(update={"document_count": len(record.doc_ids)})


# ----- routes --------------------------------------------------------------------

router = APIRouter()


@router.get("/health", response_model=Health)
async def health() -> Health:
    return Health()


@router.get("/info", response_model=ServiceInfo)
async def info() -> ServiceInfo:
    return ServiceInfo(
        name=SERVICE_NAME,
        version=__version__,
        max_upload_bytes=MAX_UPLOAD_BYTES,
        counts=ServiceCounts(sessions=len(store.sessions), documents=len(store.documents)),
    )


@router.post("/sessions", response_model=Session, status_code=status.HTTP_201_CREATED)
async def create_session(body: SessionCreate | None = None) -> Session:
    session = Session(
        session_id=uuid4(),
        label=body.label if body else None,
        created_at=datetime.now(timezone.utc),
        document_count=0,
    )
    store.sessions.add(session.session_id, _SessionRecord(session))
    return session


@router.post(
    "/session/{session_id}/upload",
    response_model=Document,
    status_code=status.HTTP_201_CREATED,
    responses={**NOT_FOUND, 413: {"model": ErrorMessage, "description": "File over 1 MiB"}},
)
async def upload(
    session_id: UUID,
    file: UploadFile = File(..., description="The document; at most 1 MiB"),
    title: str | None = Form(None, max_length=200),
) -> Document:
    _session_or_404(session_id)  # fail fast, before reading the file
    digest = hashlib.sha256()
    size = 0
    while chunk := await file.read(_CHUNK):
        size += len(chunk)
        if size > MAX_UPLOAD_BYTES:
            raise HTTPException(
                status.HTTP_413_CONTENT_TOO_LARGE,
                f"file is larger than {MAX_UPLOAD_BYTES} bytes",
            )
        digest.update(chunk)
    doc = Document(
        doc_id=uuid4(),
        session_id=session_id,
        filename=file.filename or "upload",
        content_type=file.content_type,
        title=title,
        size=size,
        sha256=digest.hexdigest(),
        uploaded_at=datetime.now(timezone.utc),
    )
    # The session may have been deleted while the upload was being read.
    record = _session_or_404(session_id)
    store.documents.add(doc.doc_id, doc)
    record.doc_ids[doc.doc_id] = None
    return doc


@router.get("/", response_model=DocumentList)
async def list_documents(
    limit: int = Query(20, ge=1, le=100),
    offset: int = Query(0, ge=0),
    session_id: UUID | None = Query(None, description="Only this session's documents"),
) -> DocumentList:
    if session_id is None:
        total = len(store.documents)
        page = list(islice(store.documents.values(), offset, offset + limit))
    else:  # an unknown session simply has no documents
        record = store.sessions.get(session_id)
        doc_ids = list(record.doc_ids) if record else []
        total = len(doc_ids)
        page = [store.documents.get(i) for i in doc_ids[offset : offset + limit]]
    return DocumentList(items=page, total=total, limit=limit, offset=offset)


@router.get("/documents/{doc_id}", response_model=Document, responses=NOT_FOUND)
async def get_document(doc_id: UUID) -> Document:
    doc = store.documents.get(doc_id)
    if doc is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"document {doc_id} not found")
    return doc


@router.get("/session/{session_id}", response_model=Session, responses=NOT_FOUND)
async def get_session(session_id: UUID) -> Session:
    return _session_view(_session_or_404(session_id))


@router.delete(
    "/session/{session_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    responses=NOT_FOUND,
)
async def delete_session(session_id: UUID) -> Response:
    record = _session_or_404(session_id)
    store.sessions.pop(session_id)
    for doc_id in record.doc_ids:
        store.documents.pop(doc_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


def create_app() -> FastAPI:
    app = FastAPI(
        title="Document Service",
        version=__version__,
        description="Upload sessions and document metadata (the bytes are not kept).",
    )
    app.include_router(router)
    return app
