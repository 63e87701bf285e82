"""A finished audio job becomes an asset of type ``audio`` (subtype voice, sfx or music)
owned by the caller, with its prompt, provider and file.

Applied in the transaction of the consumer's inbox row, so a redelivery changes nothing;
the asset's id is fixed by the event, so a republished one finds the asset it made.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from assetforge.assets.repository.asset_writes import AssetWrites, NewAsset
from assetforge.assets.service.asset_writes import announce_created
from assetforge.common.contracts.assets import AssetStatus, AssetType, Visibility
from assetforge.common.contracts.generation import catalog_asset_id
from assetforge.common.contracts.jobs import JobCompleted


async def apply_job(session: AsyncSession, event: JobCompleted) -> None:
    made = event.audio
    if made is None:
        return
    file = made.file
    audio = {
        "fileUrl": file.url,
        "durationSeconds": made.duration_seconds,
        "contentType": made.content_type,
        "provider": made.provider,
        "model": made.model,
        "jobId": event.job_id,
        **({"voiceId": made.voice_id} if made.voice_id else {}),
        **({"npcId": made.npc_id} if made.npc_id else {}),
    }
    new = NewAsset(
        id=catalog_asset_id(event.job_id, made.asset_id),
        name=made.name,
        type=AssetType.AUDIO.value,
        owner_id=event.owner_id,
        visibility=Visibility.PRIVATE.value,
        status=AssetStatus.COMPLETED.value,
        subtype=made.subtype.value,
        metadata={"audio": audio},
        prompt=made.prompt or None,
        files=[file.file_id] if file.file_id else [],
        cdn_copies={file.file_id: file.cdn_url} if file.file_id and file.cdn_url else {},
        pipeline_id=event.job_id,
        generated_at=event.completed_at,
    )
    created = await AssetWrites(session).insert(new, if_absent=True)
    if created is not None:
        await announce_created(session, created, source="generation")
