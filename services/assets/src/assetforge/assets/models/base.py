"""The declarative base of the assets schema."""

from __future__ import annotations

from sqlalchemy.orm import DeclarativeBase

from assetforge.common.db import make_metadata

SCHEMA = "assets"


class Base(DeclarativeBase):
    metadata = make_metadata(SCHEMA)
