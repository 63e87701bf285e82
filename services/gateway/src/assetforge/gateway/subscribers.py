"""Durable event consumers of the gateway: facts from other services that it records."""

from __future__ import annotations

from assetforge.common.bus.consumer import EventConsumer
from assetforge.common.contracts.assets import ASSET_CREATED_FILTER, AssetCreated
from assetforge.gateway.service.activity import record_asset_created

CONSUMERS = [
    EventConsumer(
        durable="gateway-activity-asset-created",
        subject_filter=ASSET_CREATED_FILTER,
        event_type=AssetCreated,
        effect=record_asset_created,
    ),
]
