"""PostgreSQL plumbing: engines, per-schema metadata, units of work, migrations."""

from assetforge.common.db.base import make_metadata
from assetforge.common.db.database import Database
from assetforge.common.db.engine import make_engine, to_async_url

__all__ = ["Database", "make_engine", "make_metadata", "to_async_url"]
