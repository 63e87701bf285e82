"""Ids are UUIDv7 (RFC 9562): they carry their creation time, so they sort by it and
new rows land at the end of an index rather than anywhere in it. No server is involved."""

from __future__ import annotations

import time
import uuid
from itertools import groupby

from assetforge.common.ids import new_id, uuid7


def millis_of(value: uuid.UUID) -> int:
    """The Unix time in milliseconds in an id's first 48 bits."""
    return value.int >> 80


def test_ids_are_version_7_with_the_rfc_variant() -> None:
    for _ in range(1000):
        value = uuid7()
        assert value.version == 7, value
        assert value.variant == uuid.RFC_4122, value


def test_an_id_carries_the_millisecond_it_was_made_in() -> None:
    before = time.time_ns() // 1_000_000
    value = uuid7()
    after = time.time_ns() // 1_000_000
    assert before <= millis_of(value) <= after


def test_ids_made_in_later_milliseconds_sort_after_earlier_ones() -> None:
    made = []
    for _ in range(20):
        made.append(uuid7())
        time.sleep(0.002)
    assert sorted(made) == made
    assert len({millis_of(value) for value in made}) == len(made)
    # The text form sorts the same way, as a database or a client sorting strings would.
    assert sorted(str(value) for value in made) == [str(value) for value in made]


def test_ids_made_within_one_millisecond_still_sort_in_creation_order() -> None:
    made = [uuid7() for _ in range(2000)]
    same_millisecond = [list(group) for _, group in groupby(made, key=millis_of)]
    shared = [group for group in same_millisecond if len(group) > 1]
    assert shared, "no two ids were made in one millisecond; nothing was compared"
    for group in shared:
        assert sorted(group) == group


def test_ids_are_unique_over_many() -> None:
    count = 100_000
    assert len({uuid7() for _ in range(count)}) == count


def test_new_id_is_the_canonical_text_of_a_uuid7() -> None:
    text = new_id()
    value = uuid.UUID(text)
    assert value.version == 7
    assert text == str(value)  # lower case, hyphenated: the form stored and compared
