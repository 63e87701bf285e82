"""World configs with their history, and material presets (system and custom)."""

from __future__ import annotations
