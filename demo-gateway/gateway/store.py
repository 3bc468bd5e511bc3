"""Bounded in-memory state shared by all services, and the live counts per kind.

Each kind of resource lives in a `BoundedStore`: an insertion-ordered dict with a
cap; when it is full the oldest entry is evicted (FIFO). `live_counts()` feeds
`/gateway/status` so a test can prove a load run left nothing behind.
The app runs in one uvicorn worker and the handlers are async, so plain dicts
without locks are safe.
"""

from collections import OrderedDict
from typing import Callable, Generic, Iterator, TypeVar
from uuid import UUID

T = TypeVar("T")

MAX_SESSIONS = 10_000
MAX_DOCUMENTS = 50_000
MAX_TICKETS = 10_000
MAX_CONTACTS = 10_000


class BoundedStore(Generic[T]):
    """A dict keyed by UUID, capped at `capacity`, evicting the oldest entry."""

    def __init__(self, kind: str, capacity: int) -> None:
        self.kind = kind
        self.capacity = capacity
        self._items: "OrderedDict[UUID, T]" = OrderedDict()
        self.on_evict: Callable[[UUID, T], None] | None = None

    def __len__(self) -> int:
        return len(self._items)

    def __contains__(self, key: UUID) -> bool:
        return key in self._items

    def get(self, key: UUID) -> T | None:
        return self._items.get(key)

    def add(self, key: UUID, value: T) -> None:
        """Insert a new entry (or replace one in place), evicting the oldest when full."""
        if key in self._items:
            self._items[key] = value
            return
        while len(self._items) >= self.capacity:
            old_key, old_value = self._items.popitem(last=False)
            if self.on_evict is not None:
                self.on_evict(old_key, old_value)
        self._items[key] = value

    def pop(self, key: UUID) -> T | None:
        return self._items.pop(key, None)

    def values(self) -> Iterator[T]:
        return iter(self._items.values())


sessions: BoundedStore = BoundedStore("sessions", MAX_SESSIONS)
documents: BoundedStore = BoundedStore("documents", MAX_DOCUMENTS)
tickets: BoundedStore = BoundedStore("tickets", MAX_TICKETS)
contacts: BoundedStore = BoundedStore("contacts", MAX_CONTACTS)

ALL_STORES = (sessions, documents, tickets, contacts)


def live_counts() -> dict[str, int]:
    """How many resources of each kind currently exist, across all services."""
    return {store.kind: len(store) for store in ALL_STORES}


def clear_all() -> None:
    for store in ALL_STORES:
        store._items.clear()
