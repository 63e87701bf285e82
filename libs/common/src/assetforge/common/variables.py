"""What a settings loader says about each variable it reads, for ``check-env``.

The readers of :class:`~assetforge.common.settings.Env` take the keys of :class:`About`
as keyword arguments, and the Env keeps one :class:`Variable` per name it was asked
for. ``check-env`` builds its report from those records, so the list of variables and
what is said about them cannot drift from what the services actually read.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Literal, TypedDict

if TYPE_CHECKING:
    from assetforge.common.settings import Env

# "required": production refuses to start without it (development may fall back).
Level = Literal["required", "recommended", "optional"]
# Strongest first: the order of the report, and how two declarations of one variable combine.
LEVELS: tuple[Level, ...] = ("required", "recommended", "optional")


class About(TypedDict, total=False):
    """The keyword arguments every ``Env`` reader accepts; all may be left out."""

    # A few words on what the variable is for, shown when it is not set.
    purpose: str
    level: Level  # "optional" unless said
    # Its value is never shown, not even in an error message.
    secret: bool
    # Another variable that satisfies this one's requirement in its place.
    alternative: str


def stronger(first: Level, second: Level) -> Level:
    return min(first, second, key=LEVELS.index)


@dataclass(frozen=True, slots=True)
class Variable:
    """One variable as the loaders declared it and as the environment held it."""

    name: str
    level: Level = "optional"
    purpose: str = ""
    secret: bool = False
    alternative: str | None = None
    # What the loader falls back to when the variable is not set, as text.
    default: str | None = None
    is_set: bool = False
    # Why the value was refused, worded without the value of a secret.
    problem: str | None = None

    @classmethod
    def read(cls, name: str, about: About, *, floor: Level, default: str | None, is_set: bool) -> Variable:
        """A read of ``name``: at least ``floor``, whatever ``about`` says."""
        return cls(
            name,
            level=stronger(about.get("level", "optional"), floor),
            purpose=about.get("purpose", ""),
            secret=about.get("secret", False),
            alternative=about.get("alternative"),
            default=default,
            is_set=is_set,
        )

    def merged(self, other: Variable) -> Variable:
        """One variable read twice (by one loader, or by several services): the strongest
        level, a secret if either read says so, every default (HTTP_PORT has one per
        service), and otherwise the first that said anything."""
        return Variable(
            self.name,
            level=stronger(self.level, other.level),
            purpose=self.purpose or other.purpose,
            secret=self.secret or other.secret,
            alternative=self.alternative or other.alternative,
            default=_both(self.default, other.default),
            is_set=self.is_set or other.is_set,
            problem=self.problem or other.problem,
        )

    def declaration(self) -> Variable:
        """What the loader said about the variable, without what depends on the environment
        it read: whether it was set, what was wrong, and the default (HTTP_HOST's differs
        in production)."""
        return replace(self, default=None, is_set=False, problem=None)


def _both(first: str | None, second: str | None) -> str | None:
    if first is None or second is None or second in first.split(", "):
        return second if first is None else first
    return f"{first}, {second}"


class Recording(Mapping[str, str]):
    """An environment that keeps every :class:`Env` built on it.

    A service's loader builds its own Env from the mapping it is given: handing it one
    of these is how ``check-env`` sees what the loader read without changing its signature.
    """

    def __init__(self, environ: Mapping[str, str]) -> None:
        self._environ = environ
        self.envs: list[Env] = []

    def __getitem__(self, name: str) -> str:
        return self._environ[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._environ)

    def __len__(self) -> int:
        return len(self._environ)
