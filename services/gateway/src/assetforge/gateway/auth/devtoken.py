"""``make token [ROLE=admin] [NAME=alice]``: print a bearer token for a development user."""

from __future__ import annotations

import argparse
import sys

from assetforge.gateway.auth.devmode import mint_token
from assetforge.gateway.settings import load_settings


def main() -> None:
    parser = argparse.ArgumentParser(prog="make token")
    parser.add_argument("--role", choices=("member", "admin"), default="member")
    parser.add_argument(
        "--user", metavar="NAME", help="sign in as did:privy:dev-NAME (default: dev-member or dev-admin by role)"
    )
    parser.add_argument("--hours", type=int, default=24)
    args = parser.parse_args()
    settings = load_settings({"DATABASE_URL": "postgresql://unused/unused", "AUTH_MODE": "dev"} | _environ())
    if settings.auth.mode != "dev":
        sys.exit("make token works only with AUTH_MODE=dev (the default of make run)")
    try:
        token = mint_token(
            settings.auth.dev_key_dir, settings.auth.app_id, role=args.role, user=args.user, ttl_s=args.hours * 3600
        )
    except ValueError as error:
        parser.error(str(error))
    sys.stdout.write(token + "\n")


def _environ() -> dict[str, str]:
    import os  # noqa: PLC0415 - read once, here, for this command only

    return {k: v for k, v in os.environ.items() if k in {"NODE_ENV", "PRIVY_APP_ID", "DEV_AUTH_DIR", "AUTH_MODE"}}


if __name__ == "__main__":
    main()
