"""Configs as documents: export and import, clones, templates and the validate route.

Export answers a config's content without what belongs to one stored copy (id, owner,
active flag, version, times). Free-form members come back in the order PostgreSQL's
JSONB keeps object keys (by length, then bytes), which does not depend on the order they
were sent in; so exporting an imported export answers the same bytes again.
"""

from __future__ import annotations

from typing import Any

import msgspec
from sqlalchemy.ext.asyncio import AsyncSession

from assetforge.assets.service import world_configs as configs
from assetforge.assets.service import world_documents as documents
from assetforge.common.bus.context import Principal
from assetforge.common.contracts import worlds as contract
from assetforge.common.db.repository import Executor
from assetforge.common.errors import NotFound, ValidationFailed


async def export_config(
    db: Executor, ref: contract.WorldConfigRef, viewer: Principal | None
) -> contract.WorldConfigExport:
    config = await configs.visible(db, ref.id, configs.signed_in(viewer))
    return contract.WorldConfigExport(
        data=documents.document_of(config), filename=documents.export_filename(config.name)
    )


async def import_config(
    session: AsyncSession, command: contract.ImportWorldConfig, viewer: Principal | None
) -> contract.WorldConfigReply:
    """A new config of the caller's from ``data``; members of a stored copy (id, isActive,
    version, ...) are ignored, so an export of anyone's imports as one's own."""
    viewer = configs.signed_in(viewer)
    configs.refuse_errors(documents.check_document(command.data), prefix="data")
    doc = {member: command.data[member] for member in documents.CONTENT if member in command.data}
    return await configs.insert(session, doc, "imported", viewer)


async def clone_config(
    session: AsyncSession, command: contract.CloneWorldConfig, viewer: Principal | None
) -> contract.WorldConfigReply:
    viewer = configs.signed_in(viewer)
    source = await configs.visible(session, str(command.source_id), viewer)
    if command.new_name is not None and not command.new_name.strip():
        raise ValidationFailed.of("newName", "must not be blank")
    doc = msgspec.to_builtins(documents.document_of(source))
    doc["name"] = command.new_name or f"{source.name[:248]} (copy)"
    return await configs.insert(session, doc, "cloned", viewer)


async def list_templates(
    db: Executor, query: contract.ListWorldConfigs, viewer: Principal | None
) -> contract.WorldConfigTemplates:
    """The templates the viewer may see (their own; an admin's view holds everyone's)."""
    templates, cursor = await configs.list_page(db, msgspec.structs.replace(query, templates_only=True), viewer)
    return contract.WorldConfigTemplates(templates=templates, count=len(templates), next_cursor=cursor)


async def from_template(
    session: AsyncSession, command: contract.FromTemplate, viewer: Principal | None
) -> contract.WorldConfigReply:
    """A new config with the template's content, the ``customizations`` given replacing
    theirs; it is not a template itself unless the customizations say so."""
    viewer = configs.signed_in(viewer)
    template = await configs.visible(session, command.template_id, viewer)
    if not template.is_template:
        raise NotFound("template not found")
    doc = msgspec.to_builtins(documents.document_of(template))
    customizations = msgspec.to_builtins(command.customizations)
    configs.refuse_errors(documents.check_document(customizations, partial=True))
    doc.update({"isTemplate": False, **customizations})
    return await configs.insert(session, doc, "from_template", viewer)


async def validate(
    db: Executor, command: contract.ValidateWorldConfig, viewer: Principal | None
) -> contract.ValidationReport:
    """Check a document (or a stored config) and report; nothing is stored."""
    viewer = configs.signed_in(viewer)
    document: dict[str, Any]
    if command.id is not None:
        document = msgspec.to_builtins(documents.document_of(await configs.visible(db, command.id, viewer)))
    elif command.document is not None:
        document = command.document
    else:
        raise ValidationFailed.of("document", "is required (or the id of a config)")
    found = documents.check_document(document)
    return contract.ValidationReport(valid=not found.errors, errors=found.errors, warnings=found.warnings)
