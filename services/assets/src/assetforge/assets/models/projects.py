"""Projects and the relationships between any two entities."""

from __future__ import annotations
