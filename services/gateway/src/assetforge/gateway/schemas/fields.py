"""Field types shared by the gateway's messages."""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec

Role = Literal["admin", "member"]
# PostgreSQL text cannot hold NUL (U+0000): no string the API stores or searches may carry one.
NO_NUL = r"^[^\u0000]*$"
DisplayName = Annotated[str, msgspec.Meta(min_length=1, max_length=100, pattern=NO_NUL)]
# Spelled out so that Python (which validates) and JSON Schema's ECMA-262 (which documents)
# read the pattern alike: their `\s` differ, and Python's `$` also matches before a final newline.
_EMAIL_PART = r"[^@\u0000-\u0020\u007f-\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff]+"
Email = Annotated[str, msgspec.Meta(max_length=320, pattern=rf"^{_EMAIL_PART}@{_EMAIL_PART}\.{_EMAIL_PART}(?![\s\S])")]
Discord = Annotated[str, msgspec.Meta(min_length=2, max_length=64, pattern=NO_NUL)]
KeyName = Annotated[str, msgspec.Meta(min_length=1, max_length=100, pattern=NO_NUL)]
