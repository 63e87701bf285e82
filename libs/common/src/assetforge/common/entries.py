"""The services of the system, found through their entries (``assetforge.<name>.app.ENTRY``).

The services build on this library, so it imports them only when asked, never while it
is itself being imported.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from assetforge.common.cli import ServiceEntry

# In the order `make run` starts them.
SERVICES = ("gateway", "assets", "generation", "media")


def service_entries() -> list[ServiceEntry[Any]]:
    entries: list[ServiceEntry[Any]] = [importlib.import_module(f"assetforge.{name}.app").ENTRY for name in SERVICES]
    return entries
