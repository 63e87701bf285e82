"""Identifiers: UUIDv7, so ids sort by creation time and index well."""

from __future__ import annotations

import os
import threading
import time
import uuid

_RANDOM_BITS = 74  # rand_a (12) and rand_b (62), read as one number
_RANDOM_MAX = (1 << _RANDOM_BITS) - 1
_lock = threading.Lock()
_last = (0, 0)  # (milliseconds, random part) of the last id made in this process


def uuid7() -> uuid.UUID:
    """A version 7 UUID (RFC 9562): 48-bit Unix milliseconds, then 74 bits that are random
    for the first id of a millisecond and count up from there (RFC 9562, 6.2, method 2).

    So ids made in one process sort in the order they were made, within a millisecond
    too: the outbox relays its rows in id order, so events of one aggregate written in
    the same millisecond must not swap. A clock that steps back keeps the last time.
    """
    global _last  # noqa: PLW0603 - the one piece of state the ordering needs
    millis = time.time_ns() // 1_000_000
    with _lock:
        last_millis, last_random = _last
        if millis > last_millis:
            random = int.from_bytes(os.urandom(10), "big") >> (80 - _RANDOM_BITS)
            # Leave room to count: the first id of a millisecond starts in the lower half.
            random &= _RANDOM_MAX >> 1
        else:
            millis, random = last_millis, last_random + 1
            if random > _RANDOM_MAX:  # 2**73 ids in one millisecond: move to the next one
                millis, random = millis + 1, 0
        _last = (millis, random)
    value = (millis & ((1 << 48) - 1)) << 80
    value |= 0x7 << 76  # version
    value |= (random >> 62) << 64  # rand_a, 12 bits
    value |= 0b10 << 62  # variant
    value |= random & ((1 << 62) - 1)  # rand_b, 62 bits
    return uuid.UUID(int=value)


def new_id() -> str:
    return str(uuid7())
