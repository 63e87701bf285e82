"""Checks on decoded JSON values that no schema can state: how deep they nest, and
whether a NUL (U+0000) hides anywhere in them (PostgreSQL text and JSONB refuse it)."""

from __future__ import annotations

from typing import Any


def too_deep(value: Any, limit: int) -> bool:
    """Whether ``value`` nests containers more than ``limit`` levels deep.

    Iterative, so a value nested past Python's recursion limit is answered, not crashed on.
    """
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children: Any = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth >= limit:
            return True
        stack.extend((child, depth + 1) for child in children)
    return False


def holds_nul(value: Any) -> bool:
    """Whether a NUL sits in any string or key of ``value``."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if "\x00" in item:
                return True
        elif isinstance(item, dict):
            if any("\x00" in key for key in item):
                return True
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False
