"""The achievement catalogue and who earned what."""

from __future__ import annotations
