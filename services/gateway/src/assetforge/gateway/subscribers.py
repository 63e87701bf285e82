"""Durable event consumers of the gateway: facts from other services that it records."""

from __future__ import annotations

from assetforge.common.bus.consumer import EventConsumer
from assetforge.common.contracts.achievements import ACHIEVEMENT_AWARDED_FILTER, AchievementAwarded
from assetforge.common.contracts.assets import (
    ASSET_CREATED_FILTER,
    ASSET_DELETED_FILTER,
    ASSET_UPDATED_FILTER,
    AssetCreated,
    AssetDeleted,
    AssetUpdated,
)
from assetforge.gateway.service.activity import (
    record_achievement_awarded,
    record_asset_created,
    record_asset_deleted,
    record_asset_updated,
)

CONSUMERS = [
    EventConsumer(
        durable="gateway-activity-asset-created",
        subject_filter=ASSET_CREATED_FILTER,
        event_type=AssetCreated,
        effect=record_asset_created,
    ),
    EventConsumer(
        durable="gateway-activity-asset-updated",
        subject_filter=ASSET_UPDATED_FILTER,
        event_type=AssetUpdated,
        effect=record_asset_updated,
    ),
    EventConsumer(
        durable="gateway-activity-asset-deleted",
        subject_filter=ASSET_DELETED_FILTER,
        event_type=AssetDeleted,
        effect=record_asset_deleted,
    ),
    EventConsumer(
        durable="gateway-activity-achievement-awarded",
        subject_filter=ACHIEVEMENT_AWARDED_FILTER,
        event_type=AchievementAwarded,
        effect=record_achievement_awarded,
    ),
]
