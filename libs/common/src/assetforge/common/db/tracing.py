"""A span per SQL statement, as a child of whatever span is current.

Written here rather than taken from opentelemetry-instrumentation-sqlalchemy, whose
instrumentor is a process-wide singleton that instruments only the first engine it
is given, while a test process runs four services with an engine each.
"""

from __future__ import annotations

from typing import Any

from opentelemetry.trace import SpanKind, Status, StatusCode
from sqlalchemy import event
from sqlalchemy.engine import Engine

from assetforge.common.observability.tracing import tracer

_SPAN = "_assetforge_span"


def trace_statements(engine: Engine, database: str) -> None:
    @event.listens_for(engine, "before_cursor_execute")
    def start(_conn: Any, _cursor: Any, statement: str, _params: Any, context: Any, _many: bool) -> None:
        operation = statement.lstrip().split(" ", 1)[0].upper()
        span = tracer().start_span(
            f"{operation} {database}",
            kind=SpanKind.CLIENT,
            attributes={"db.system": "postgresql", "db.namespace": database, "db.query.text": statement},
        )
        setattr(context, _SPAN, span)

    @event.listens_for(engine, "after_cursor_execute")
    def finish(_conn: Any, _cursor: Any, _statement: str, _params: Any, context: Any, _many: bool) -> None:
        span = getattr(context, _SPAN, None)
        if span is not None:
            span.end()

    @event.listens_for(engine, "handle_error")
    def fail(exception_context: Any) -> None:
        span = getattr(exception_context.execution_context, _SPAN, None)
        if span is not None:
            span.set_status(Status(StatusCode.ERROR, str(exception_context.original_exception)))
            span.end()
