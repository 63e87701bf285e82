"""The assets schema: every table, one module per area (so Alembic and the drift check
see them all once this package is imported)."""

from assetforge.assets.models import achievements, projects, worlds
from assetforge.assets.models.base import SCHEMA, Base
from assetforge.assets.models.catalog import AssetRecord
from assetforge.common.bus.deployment import make_deployment_table
from assetforge.common.bus.inbox import make_inbox_table
from assetforge.common.bus.outbox import make_outbox_table

outbox = make_outbox_table(Base.metadata)
inbox = make_inbox_table(Base.metadata)
deployment = make_deployment_table(Base.metadata)

__all__ = ["SCHEMA", "AssetRecord", "Base", "achievements", "deployment", "inbox", "outbox", "projects", "worlds"]
