"""NATS plumbing: broker, streams, request/reply, outbox and inbox."""
