"""JSON log lines in production, readable ones in development; each line carries the
request id and trace id of the work it belongs to."""

from __future__ import annotations

import logging
import sys
import time
from typing import Any

import msgspec
from opentelemetry import trace

from assetforge.common.observability.context import request_id_var


class ContextFilter(logging.Filter):
    """Stamps every record with the service, request id and trace id."""

    def __init__(self, service: str) -> None:
        super().__init__()
        self.service = service

    def filter(self, record: logging.LogRecord) -> bool:
        record.service = self.service
        record.request_id = request_id_var.get()
        span_context = trace.get_current_span().get_span_context()
        if span_context.is_valid:
            record.trace_id = format(span_context.trace_id, "032x")
            record.span_id = format(span_context.span_id, "016x")
        else:
            record.trace_id = None
            record.span_id = None
        return True


_STANDARD = set(logging.LogRecord("", 0, "", 0, "", None, None).__dict__) | {
    "message",
    "service",
    "request_id",
    "trace_id",
    "span_id",
    "asctime",
    "taskName",
}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created)) + f".{int(record.msecs):03d}Z",
            "level": record.levelname.lower(),
            "service": getattr(record, "service", None),
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key in ("request_id", "trace_id", "span_id"):
            value = getattr(record, key, None)
            if value:
                line[key] = value
        extra = {k: v for k, v in record.__dict__.items() if k not in _STANDARD}
        if extra:
            line["extra"] = extra
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return msgspec.json.encode(line, enc_hook=str).decode()


class ReadableFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        stamp = time.strftime("%H:%M:%S", time.localtime(record.created))
        ids = [v for v in (getattr(record, "request_id", None), getattr(record, "trace_id", None)) if v]
        where = f" [{' '.join(ids)}]" if ids else ""
        line = f"{stamp} {record.levelname:<7} {record.name}{where} {record.getMessage()}"
        if record.exc_info:
            line += "\n" + self.formatException(record.exc_info)
        return line


def configure_logging(service: str, *, level: str, json: bool) -> None:
    """Route every logger through one stderr handler with the service's context."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter() if json else ReadableFormatter())
    handler.addFilter(ContextFilter(service))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # Per-request access lines cost more than they tell; metrics carry that story.
    for noisy in ("uvicorn.access", "faststream.access", "nats.aio.client"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
