"""Command lines: ``python -m assetforge.<service> [serve|migrate|downgrade|docs|rebind]``
and ``assetforge check-env``."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Generic, NoReturn, Protocol, TypeVar

from assetforge.common.bus.deployment import DeploymentError, rebind
from assetforge.common.db import migrations
from assetforge.common.envcheck import check_env
from assetforge.common.observability.logging import configure_logging
from assetforge.common.observability.sentry import configure_sentry
from assetforge.common.observability.tracing import configure_tracing
from assetforge.common.runtime import ServiceRuntime
from assetforge.common.serve import serve
from assetforge.common.settings import (
    DatabaseSettings,
    Env,
    Environment,
    HttpSettings,
    NatsSettings,
    RuntimeSettings,
    SettingsError,
    TelemetrySettings,
    get_database_settings,
    get_runtime_settings,
)


class ServiceSettings(Protocol):
    """What every service's settings object offers."""

    @property
    def runtime(self) -> RuntimeSettings: ...
    @property
    def database(self) -> DatabaseSettings: ...
    @property
    def nats(self) -> NatsSettings: ...
    @property
    def telemetry(self) -> TelemetrySettings: ...
    @property
    def http(self) -> HttpSettings: ...


S = TypeVar("S", bound=ServiceSettings)

# Documentation is generated without connecting anywhere, so any syntactically valid
# URL will do when the environment has none.
_DOCS_ENV = {"DATABASE_URL": "postgresql://docs@localhost/docs"}


@dataclass(frozen=True, slots=True)
class ServiceEntry(Generic[S]):
    name: str
    load_settings: Callable[[Mapping[str, str] | None], S]
    create_runtime: Callable[[S], ServiceRuntime]
    create_app: Callable[[S, ServiceRuntime], Any]
    asyncapi: Callable[[ServiceRuntime], dict[str, Any]]
    migrations: Path
    # The variable the service's settings read its HTTP port from, and its default there;
    # `make run` gives each service its own port through them.
    port_variable: str
    default_port: int


def _load(entry: ServiceEntry[S], environ: Mapping[str, str] | None = None) -> S:
    try:
        return entry.load_settings(environ)
    except SettingsError as error:
        _refuse(entry.name, error)


def load_migration_settings(
    service: str, environ: Mapping[str, str] | None = None
) -> tuple[RuntimeSettings, DatabaseSettings]:
    """What ``migrate`` needs: the database (and log settings), nothing the service
    itself would also require (NATS, ports, Privy)."""
    env = Env(environ)
    database = get_database_settings(env)
    runtime = get_runtime_settings(env, service)
    env.check()
    return runtime, database


def _refuse(name: str, error: SettingsError) -> NoReturn:
    print(f"{name}: cannot start, the environment is not valid:", file=sys.stderr)
    for problem in error.problems:
        print(f"  - {problem}", file=sys.stderr)
    raise SystemExit(2) from error


def service_main(entry: ServiceEntry[Any], argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog=f"python -m assetforge.{entry.name}")
    commands = parser.add_subparsers(dest="command")
    commands.add_parser("serve", help="run the service (default)")
    up = commands.add_parser("migrate", help="apply migrations to this service's schema")
    up.add_argument("--revision", default="head")
    down = commands.add_parser("downgrade", help="revert migrations of this service's schema")
    down.add_argument("--revision", default="-1")
    docs = commands.add_parser("docs", help="print or write the AsyncAPI document")
    docs.add_argument("--out", type=Path)
    commands.add_parser(
        "rebind",
        help="bind this service's schema to the NATS it is configured with (after NATS was rebuilt on purpose)",
    )
    args = parser.parse_args(argv)

    if args.command == "docs":
        # Only fixed values, so the document does not depend on the shell it is made in.
        settings = _load(entry, _DOCS_ENV)
        document = json.dumps(entry.asyncapi(entry.create_runtime(settings)), indent=2, sort_keys=True) + "\n"
        if args.out:
            args.out.write_text(document)
        else:
            sys.stdout.write(document)
        return

    if args.command in {"migrate", "downgrade"}:
        try:
            runtime, database = load_migration_settings(entry.name)
        except SettingsError as error:
            _refuse(entry.name, error)
        configure_logging(entry.name, level=runtime.log_level, json=runtime.environment is Environment.PRODUCTION)
        move = migrations.upgrade if args.command == "migrate" else migrations.downgrade
        move(entry.migrations, database.url, args.revision)
        return

    settings = _load(entry)
    runtime = settings.runtime
    configure_logging(entry.name, level=runtime.log_level, json=runtime.environment is Environment.PRODUCTION)
    if args.command == "rebind":
        # The service's own settings and tables: it binds what `serve` would check.
        asyncio.run(_rebind(entry.name, entry.create_runtime(settings)))
        return
    configure_tracing(entry.name, runtime.version, settings.telemetry.otlp_endpoint)
    configure_sentry(
        settings.telemetry.sentry_dsn,
        service=entry.name,
        environment=runtime.environment.value,
        release=runtime.version,
    )
    app = entry.create_app(settings, entry.create_runtime(settings))
    serve(app, settings.http)


async def _rebind(name: str, runtime: ServiceRuntime) -> None:
    try:
        done = await rebind(runtime.database.engine, runtime.parts.outbox, runtime.nats_settings, name)
    except (DeploymentError, OSError, TimeoutError) as error:
        print(f"{name}: rebind failed: {error or type(error).__name__}", file=sys.stderr)
        raise SystemExit(1) from error
    finally:
        await runtime.database.dispose()
    print(f"{name}: {done.describe()}")


def main(argv: Sequence[str] | None = None) -> None:
    """``assetforge``: project-wide commands."""
    parser = argparse.ArgumentParser(prog="assetforge")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("check-env", help="report required and recommended variables")
    args = parser.parse_args(argv)
    if args.command == "check-env":
        report, status = check_env()
        print(report)
        raise SystemExit(status)


if __name__ == "__main__":
    main()
