"""What ``make run`` (``stack``) reads itself, and what it gives the services.

The services read their own settings from the environment the stack passes on; this
is only the stack's part: where the checkout is, and each service's HTTP port (from
the service's entry, so the defaults are the ones its settings use).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assetforge.common.settings import Env

if TYPE_CHECKING:
    from assetforge.common.cli import ServiceEntry

DEFAULT_NATS_PORT = 4322
# What `make run` hands the services when the shell does not set it, and how. `check-env`
# reads this so that, beside `make run`, it does not report these as gaps.
MAKE_RUN_PROVIDES: Mapping[str, str] = {
    "NODE_ENV": "development",
    "AUTH_MODE": "dev, unless PRIVY_APP_ID is set",
    "DEV_AUTH_DIR": ".data/dev-auth, with AUTH_MODE=dev",
    "NATS_URL": "its embedded NATS",
    "DATABASE_URL": "its embedded PostgreSQL",
    "HTTP_PORT": "one per back-end service (<SERVICE>_HTTP_PORT)",
}


@dataclass(frozen=True, slots=True)
class StackSettings:
    root: Path
    # Servers to use instead of starting embedded ones.
    nats_url: str | None
    database_url: str | None
    nats_port: int  # of the embedded NATS
    # The environment the services get: the shell's, plus what `make run` provides.
    environ: Mapping[str, str]
    # The variable each service's settings read its HTTP port from, and the value it gets.
    ports: Mapping[str, tuple[str, str]]


def load_stack_settings(
    entries: Sequence[ServiceEntry[Any]], environ: Mapping[str, str] | None = None
) -> StackSettings:
    env = Env(environ)
    root = Path(env.text("ASSETFORGE_ROOT", purpose="the checkout, where .data lives") or Path.cwd())
    shared = Counter(entry.port_variable for entry in entries)
    ports = {}
    for entry in entries:
        # HTTP_PORT, which several services read, cannot serve them all on one machine:
        # each gets its own default unless <SERVICE>_HTTP_PORT says otherwise. A variable
        # only one service reads (the gateway's PORT) is that service's to set.
        port = str(entry.default_port)
        if shared[entry.port_variable] == 1:
            port = env.text(entry.port_variable, port) or port
        # Passed on as written: the service's settings judge it, and refuse a bad one.
        port = env.text(f"{entry.name.upper()}_HTTP_PORT", port, purpose="its port under make run") or port
        ports[entry.name] = (entry.port_variable, port)
    services = dict(env.environ)
    services.setdefault("NODE_ENV", env.environment.value)
    # Sign in with `make token` (local ES256 keys under .data/dev-auth) unless Privy is configured.
    if env.text("PRIVY_APP_ID") is None and not env.production:
        services.setdefault("AUTH_MODE", "dev")
        services.setdefault("DEV_AUTH_DIR", str(root / ".data" / "dev-auth"))
    settings = StackSettings(
        root=root,
        nats_url=env.text("NATS_URL"),
        database_url=env.text("DATABASE_URL"),
        nats_port=env.integer("DEVSTACK_NATS_PORT", DEFAULT_NATS_PORT, minimum=1, maximum=65535),
        environ=services,
        ports=ports,
    )
    env.check()
    return settings
