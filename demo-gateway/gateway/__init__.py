"""Demo Gateway: a small FastAPI gateway used as the target of gateway-loadtest.

The root app lives in `gateway.main` (`gateway.main:app`); it mounts two sub-apps,
the document service (`gateway.documents`) and docman (`gateway.docman`), which keep
their state in the bounded in-memory stores of `gateway.store`.
"""

__version__ = "0.1.0"
