"""The catalog's page cursor: what ``nextCursor`` encodes and which cursors are refused.

A client passes ``nextCursor`` back as ``cursor`` in a query string; anything it sends
that this API did not hand out must be a validation error naming ``cursor`` (a 422),
never an exception that reaches the query (a 500). No server is involved.
"""

from __future__ import annotations

import base64
import re
import uuid
from datetime import UTC, datetime, timedelta, timezone

import pytest

from assetforge.assets.repository.assets import PagePosition
from assetforge.assets.service.assets import decode_cursor, encode_cursor, search_terms
from assetforge.common.errors import ValidationFailed
from assetforge.common.ids import uuid7

NOW = datetime(2025, 3, 14, 15, 9, 26, 535897, tzinfo=UTC)


def forge(text: str) -> str:
    """A cursor made by hand, in the same base64 a real one uses."""
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def assert_refused(cursor: str) -> None:
    with pytest.raises(ValidationFailed) as raised:
        decode_cursor(cursor)
    assert [field.field for field in raised.value.fields or []] == ["cursor"], cursor


@pytest.mark.parametrize(
    "created_at",
    [NOW, NOW.replace(microsecond=0), datetime(2000, 1, 1, 0, 0, 1, tzinfo=UTC), datetime.now(tz=UTC)],
    ids=["microseconds", "whole-second", "earliest-years", "now"],
)
def test_a_cursor_decodes_to_the_position_it_was_made_from(created_at: datetime) -> None:
    position = PagePosition(created_at=created_at, id=uuid7())
    assert decode_cursor(encode_cursor(position)) == position


def test_a_position_in_another_zone_comes_back_as_the_same_instant_in_utc() -> None:
    position = PagePosition(created_at=NOW.astimezone(timezone(timedelta(hours=-5))), id=uuid7())
    decoded = decode_cursor(encode_cursor(position))
    assert decoded.created_at == NOW
    assert decoded.created_at.utcoffset() == timedelta(0)


def test_cursors_are_safe_in_a_query_string_as_they_are() -> None:
    # Timestamps with and without microseconds make cursors of different lengths, so
    # base64 would end them with one, two or no "=" (which a query string must escape).
    for step in range(300):
        created_at = NOW + timedelta(microseconds=step * 7919, seconds=step)
        if step % 3 == 0:
            created_at = created_at.replace(microsecond=0)
        cursor = encode_cursor(PagePosition(created_at=created_at, id=uuid.uuid4()))
        assert re.fullmatch(r"[A-Za-z0-9_-]+", cursor), cursor


@pytest.mark.parametrize(
    "cursor",
    [
        "bm9wZQ",  # "nope"
        "not a cursor!",
        "%%%%",
        forge("garbage|garbage"),
        forge(f"{NOW.isoformat()}|not-a-uuid"),
        forge(f"{NOW.isoformat()}"),
        forge(f"|{uuid7()}"),
        base64.urlsafe_b64encode(b"\xff\xfe|\x80").decode(),  # not UTF-8
    ],
    ids=["plain-word", "not-base64", "symbols", "no-timestamp", "bad-id", "no-id", "empty-timestamp", "not-utf8"],
)
def test_a_forged_cursor_is_refused_naming_the_cursor(cursor: str) -> None:
    assert_refused(cursor)


def test_every_truncation_of_a_real_cursor_is_refused() -> None:
    cursor = encode_cursor(PagePosition(created_at=NOW, id=uuid7()))
    for length in range(len(cursor)):
        assert_refused(cursor[:length])


def test_a_cursor_without_a_time_zone_is_refused() -> None:
    assert_refused(forge(f"{NOW.replace(tzinfo=None).isoformat()}|{uuid7()}"))


@pytest.mark.parametrize(
    "stamp",
    [
        "1999-12-31T23:59:59+00:00",  # before any row of this catalog
        "9001-01-01T00:00:00+00:00",  # past what the catalog will ever hold
        "9999-12-31T23:59:59-01:00",  # in UTC, past the last year datetime holds
        "0001-01-01T00:00:00+01:00",  # in UTC, before the first year datetime holds
    ],
)
def test_a_cursor_out_of_range_is_refused(stamp: str) -> None:
    assert_refused(forge(f"{stamp}|{uuid7()}"))


@pytest.mark.parametrize("rank", [0.0, 0.0607927, 0.6079270839691162, 1.0, 3.5])
def test_a_search_cursor_keeps_its_rank_exactly(rank: float) -> None:
    position = PagePosition(created_at=NOW, id=uuid7(), rank=rank)
    assert decode_cursor(encode_cursor(position)) == position


@pytest.mark.parametrize("rank", ["nan", "inf", "-inf", "-0.5", "1e9", "x", ""])
def test_a_forged_rank_is_refused(rank: str) -> None:
    assert_refused(forge(f"{NOW.isoformat()}|{uuid7()}|{rank}"))


def test_a_cursor_with_more_parts_is_refused() -> None:
    assert_refused(forge(f"{NOW.isoformat()}|{uuid7()}|0.5|0.5"))


@pytest.mark.parametrize(
    ("text", "terms"),
    [
        ("Frost Sword", "'frost':* & 'sword':*"),
        ("  100%  ", "'100':*"),
        ("it's a-b", "'it':* & 's':* & 'a':* & 'b':*"),
        ("under_score", "'under':* & 'score':*"),
        ("Épée", "'épée':*"),
        ("%", None),
        ("'&|!:*()<->", None),
    ],
)
def test_search_terms_are_words_only(text: str, terms: str | None) -> None:
    assert search_terms(text) == terms
