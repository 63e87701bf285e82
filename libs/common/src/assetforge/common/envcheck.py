"""The ``check-env`` report: which variables are set, missing or invalid.

No variable is listed here. Every service's own settings loader is run on the
environment, and each records what it read and what it found wrong (see
``assetforge.common.variables``): the report is what they recorded, a variable read by
several services once. Values are never printed, only their state, so the report is
safe to paste into an issue or a deployment log. In production a missing required
variable makes the report fail, as it makes the services refuse to start. Outside
production, what ``make run`` gives the services itself is reported as provided, not
missing, since the report is often read beside a running ``make run``.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum

from assetforge.common.entries import service_entries
from assetforge.common.settings import Env, SettingsError
from assetforge.common.stack_settings import MAKE_RUN_PROVIDES
from assetforge.common.variables import LEVELS, Recording, Variable

Loader = Callable[[Mapping[str, str] | None], object]

# Production with nothing set takes every fallback branch of the loaders, so reading it
# as well lists each variable production could ask for (a secret that is read only when
# its stand-in is missing, say), whatever the environment being checked holds.
_BLANK_PRODUCTION = {"NODE_ENV": "production"}


class State(StrEnum):
    SET = "set"
    MISSING = "missing"
    INVALID = "invalid"
    # Not set here, but `make run` sets it for the services (never in production).
    PROVIDED = "provided"


@dataclass(frozen=True, slots=True)
class Finding:
    variable: Variable
    state: State
    detail: str
    services: tuple[str, ...] = ()

    @property
    def blocking(self) -> bool:
        """A required variable that is missing or invalid."""
        return self.variable.level == "required" and self.state in (State.MISSING, State.INVALID)


@dataclass(frozen=True, slots=True)
class Reading:
    """What the loaders recorded: each variable once, with the services that read it, and
    the problems that are not about one variable's value, with the services that found them."""

    variables: dict[str, Variable]
    readers: dict[str, list[str]]
    problems: dict[str, list[str]]


@dataclass(frozen=True, slots=True)
class Report:
    production: bool
    findings: list[Finding]
    problems: dict[str, list[str]]


def service_loaders() -> dict[str, Loader]:
    return {entry.name: entry.load_settings for entry in service_entries()}


def read(environ: Mapping[str, str], loaders: Mapping[str, Loader]) -> Reading:
    """Run every loader on ``environ`` (and on a blank production, for its declarations only)."""
    reading = Reading({}, {}, {})
    for service, load in loaders.items():
        for source, actual in ((environ, True), (_BLANK_PRODUCTION, False)):
            recording = Recording(source)
            # Refusing the environment is the loader's way of reporting on it; what it
            # read and found wrong is in the recording all the same.
            with contextlib.suppress(SettingsError):
                load(recording)
            for env in recording.envs:
                for name, variable in env.variables.items():
                    seen = variable if actual else variable.declaration()
                    known = reading.variables.get(name)
                    reading.variables[name] = seen if known is None else known.merged(seen)
                    _add(reading.readers, name, service)
                for problem in env.other_problems if actual else ():
                    _add(reading.problems, problem, service)
    return reading


def _add(table: dict[str, list[str]], key: str, service: str) -> None:
    services = table.setdefault(key, [])
    if service not in services:
        services.append(service)


@functools.cache
def catalogue() -> tuple[Variable, ...]:
    """Every variable the services read, in development or production, as declared."""
    return tuple(variable.declaration() for variable in read({}, service_loaders()).variables.values())


def __getattr__(name: str) -> tuple[Variable, ...]:
    # VARIABLES was a hand-kept list; the name now gives what the loaders declare, worked
    # out on first use: the services import this library, so it cannot import them while
    # it is being imported itself.
    if name == "VARIABLES":
        return catalogue()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _judge(variable: Variable, probe: Env, services: list[str]) -> Finding:
    name, value = variable.name, probe.raw(variable.name)
    if value is None:
        if variable.alternative and probe.raw(variable.alternative) is not None:
            return Finding(variable, State.SET, f"covered by {variable.alternative}", tuple(services))
        if not probe.production and name in MAKE_RUN_PROVIDES:
            return Finding(variable, State.PROVIDED, f"by make run ({MAKE_RUN_PROVIDES[name]})", tuple(services))
        return Finding(variable, State.MISSING, _unset(variable), tuple(services))
    if variable.problem:
        shown = _blanked(variable.problem, [value]) if variable.secret or "@" in value else variable.problem
        return Finding(variable, State.INVALID, shown, tuple(services))
    if name == "NODE_ENV" and not probe.production:
        return Finding(variable, State.SET, f"{value} (production checks relaxed)", tuple(services))
    # A URL may carry credentials (nats://user:pass@host), so those stay hidden too.
    return Finding(variable, State.SET, "hidden" if variable.secret or "@" in value else value, tuple(services))


def _unset(variable: Variable) -> str:
    default = None if variable.secret or variable.default is None else f"default {variable.default}"
    if variable.purpose and default:
        return f"{variable.purpose} ({default})"
    return variable.purpose or default or "not set"


def inspect(environ: Mapping[str, str] | None = None, loaders: Mapping[str, Loader] | None = None) -> Report:
    """Judge every variable the loaders read from ``environ`` (the process environment
    when None) without revealing any value."""
    # The environment as the loaders see it: a blank value is unset, NODE_ENV says production.
    probe = Env(environ)
    reading = read(probe.environ, service_loaders() if loaders is None else loaders)
    findings = [_judge(variable, probe, reading.readers[name]) for name, variable in reading.variables.items()]
    # "PRIVY_APP_ID is required", added by a loader itself, says what its line already does.
    said = {f"{f.variable.name} is required" for f in findings if f.state is State.MISSING}
    problems = {problem: services for problem, services in reading.problems.items() if problem not in said}
    return Report(probe.production, findings, _hiding(problems, probe, findings))


def _hiding(problems: dict[str, list[str]], probe: Env, findings: list[Finding]) -> dict[str, list[str]]:
    """The problems, with any value of a secret (or URL with credentials) blanked out."""
    values = [
        value
        for f in findings
        if (value := probe.raw(f.variable.name)) is not None and (f.variable.secret or "@" in value)
    ]
    return {_blanked(problem, values): services for problem, services in problems.items()}


def _blanked(text: str, values: list[str]) -> str:
    for value in values:
        text = text.replace(value, "hidden")
    return text


def render(findings: list[Finding], problems: Mapping[str, list[str]] | None = None) -> str:
    everyone = {service for f in findings for service in f.services}
    width = max(len(f.variable.name) for f in findings)
    state_width = max(len(state.value) for state in State)
    detail_width = min(48, max(len(f.detail) for f in findings))

    def readers(services: tuple[str, ...] | list[str]) -> str:
        return "all" if set(services) == everyone and len(everyone) > 1 else ", ".join(services)

    lines = []
    for level in LEVELS:
        group = [f for f in findings if f.variable.level == level]
        if not group:
            continue
        lines.append(f"{level}:")
        lines.extend(
            f"  {f.variable.name:<{width}}  {f.state.value:<{state_width}}  {f.detail:<{detail_width}}  "
            f"[{readers(f.services)}]"
            for f in group
        )
    if problems:
        lines.append("refused by the services:")
        lines.extend(f"  - {problem}  [{readers(services)}]" for problem, services in problems.items())
    return "\n".join(lines)


def check_env(environ: Mapping[str, str] | None = None, loaders: Mapping[str, Loader] | None = None) -> tuple[str, int]:
    """Return the report and the exit status: 1 when a production service would refuse
    to start, a required variable missing above all."""
    report = inspect(environ, loaders)
    text = render(report.findings, report.problems)
    blocking = [f.variable.name for f in report.findings if f.blocking]
    if report.production:
        verdicts = []
        if blocking:
            verdicts.append(f"production is missing required configuration: {', '.join(blocking)}")
        # What else makes a loader refuse the environment makes the service refuse to start.
        refused = [
            f"{f.variable.name} is invalid" for f in report.findings if f.state is State.INVALID and not f.blocking
        ]
        if report.problems:
            refused.append(f"{len(report.problems)} problem(s) listed above")
        if refused:
            verdicts.append(f"production services would refuse to start: {'; '.join(refused)}")
        return (text + "\n\n" + "\n".join(verdicts), 1) if verdicts else (text, 0)
    if blocking:
        return f"{text}\n\nnot production: {len(blocking)} required variable(s) would block a production start", 0
    return text, 0
