"""The catalog's reads: who sees which asset, how pages are cut, what a search matches."""

from __future__ import annotations

import base64
import binascii
import math
import re
import uuid
from datetime import UTC, datetime

from assetforge.assets.repository.assets import AssetFilter, AssetRepository, PagePosition
from assetforge.common.bus.context import Principal
from assetforge.common.contracts.assets import MAX_PAGE_SIZE, Asset, AssetPage, ListAssets, ModelLocation
from assetforge.common.cursors import EARLIEST, LATEST
from assetforge.common.db.repository import Executor
from assetforge.common.errors import NotFound, ValidationFailed

# ts_rank's answers lie well inside this; a forged cursor's rank must too.
_MAX_RANK = 1000.0
_WORD = re.compile(r"[^\W_]+")
_MAX_WORDS = 16


def encode_cursor(position: PagePosition) -> str:
    raw = f"{position.created_at.isoformat()}|{position.id}"
    if position.rank is not None:
        raw += f"|{position.rank!r}"
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _refused() -> ValidationFailed:
    return ValidationFailed.of("cursor", "not a cursor returned by this API")


def decode_cursor(cursor: str) -> PagePosition:
    """The position a cursor of ours names; anything else is a 422 naming ``cursor``.

    A forged cursor can carry any timestamp: one without a zone, or whose offset moves it
    out of the years datetime and the database both hold, must not reach the query; nor
    may a rank that is not a finite number ts_rank could have given.
    """
    position = None
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        stamp, ident, *more = raw.split("|")
        created_at = datetime.fromisoformat(stamp)
        rank = float(more[0]) if len(more) == 1 else None
        if created_at.tzinfo is not None and len(more) <= 1:
            position = PagePosition(created_at=created_at.astimezone(UTC), id=uuid.UUID(ident), rank=rank)
    except (ValueError, OverflowError, binascii.Error, UnicodeDecodeError) as error:
        raise _refused() from error
    if position is None or not EARLIEST <= position.created_at <= LATEST:
        raise _refused()
    if position.rank is not None and not (math.isfinite(position.rank) and 0 <= position.rank <= _MAX_RANK):
        raise _refused()
    return position


def parse_uuid(value: str, field: str) -> uuid.UUID:
    try:
        return uuid.UUID(value)
    except ValueError as error:
        raise ValidationFailed.of(field, "must be a UUID") from error


def search_terms(text: str) -> str | None:
    """A ``to_tsquery`` expression matching every word of ``text`` (each as a prefix, so a
    half-typed word finds), or None when ``text`` holds no word. Only letters and digits
    reach it: nothing a client types can break the query's syntax."""
    words = _WORD.findall(text.lower())[:_MAX_WORDS]
    return " & ".join(f"'{word[:64]}':*" for word in words) or None


def _viewer(viewer: Principal | None) -> tuple[str | None, bool]:
    return (viewer.user_id if viewer else None), bool(viewer and viewer.is_admin)


async def list_assets(db: Executor, query: ListAssets, viewer: Principal | None) -> AssetPage:
    viewer_id, admin = _viewer(viewer)
    text = query.q.strip() if query.q else ""
    terms = search_terms(text) if text else None
    after = decode_cursor(query.cursor) if query.cursor else None
    if after is not None and (after.rank is None) != (terms is None):
        raise ValidationFailed.of("cursor", "belongs to another search")
    if text and terms is None:
        return AssetPage(next_cursor=None, assets=[])  # no word to look for: nothing matches
    where = AssetFilter(
        viewer_id=viewer_id,
        viewer_is_admin=admin,
        project_id=parse_uuid(query.project_id, "projectId") if query.project_id else None,
        type=query.type,
        status=query.status,
        owner_id=query.owner_id,
        text=terms,
    )
    page = await AssetRepository(db).list_page(where, after, query.limit + 1)
    assets = page.assets[: query.limit]
    next_cursor = None
    if len(page.assets) > query.limit:
        last = assets[-1]
        rank = page.ranks[query.limit - 1] if page.ranks else None
        next_cursor = encode_cursor(PagePosition(last.created_at, uuid.UUID(last.id), rank))
    return AssetPage(next_cursor=next_cursor, assets=assets)


async def find_asset(db: Executor, asset_id: str, viewer: Principal | None) -> Asset:
    """The asset, or 404: a private asset answers exactly like a missing one, so ids cannot
    be probed (a malformed id names nothing either)."""
    ident = _ident(asset_id)
    viewer_id, admin = _viewer(viewer)
    asset = await AssetRepository(db).get(ident, viewer_id, admin=admin) if ident else None
    if asset is None:
        raise NotFound("asset not found")
    return asset


def _ident(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(value)
    except ValueError:
        return None


async def get_asset(db: Executor, asset_id: str, viewer: Principal | None) -> Asset:
    return await find_asset(db, asset_id, viewer)


async def list_variants(db: Executor, asset_id: str, viewer: Principal | None) -> AssetPage:
    """The variants the viewer may see (one page: a base has one per material preset)."""
    base = await find_asset(db, asset_id, viewer)
    viewer_id, admin = _viewer(viewer)
    variants = await AssetRepository(db).variants(uuid.UUID(base.id), viewer_id, admin=admin, limit=MAX_PAGE_SIZE)
    return AssetPage(next_cursor=None, assets=variants)


async def model_location(db: Executor, asset_id: str, viewer: Principal | None) -> ModelLocation:
    ident = _ident(asset_id)
    viewer_id, admin = _viewer(viewer)
    seen, url = await AssetRepository(db).model_location(ident, viewer_id, admin=admin) if ident else (False, None)
    if not seen:
        raise NotFound("asset not found")
    if url is None:
        raise NotFound("the asset has no model")
    return ModelLocation(url=url)
