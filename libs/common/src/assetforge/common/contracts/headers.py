"""Header names carried on every bus message."""

TRACEPARENT = "traceparent"
TRACESTATE = "tracestate"
REQUEST_ID = "X-Request-Id"
USER_ID = "Af-User-Id"
USER_ROLE = "Af-User-Role"
# Present, with the value "error", on a reply whose body is an ErrorReply.
STATUS = "Af-Status"
STATUS_ERROR = "error"
# JetStream's de-duplication key; the outbox sets it to the outbox row id.
MSG_ID = "Nats-Msg-Id"
