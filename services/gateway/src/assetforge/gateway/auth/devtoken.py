"""``make token [ROLE=admin] [NAME=alice]``: print a bearer token for a development user."""

from __future__ import annotations

import argparse
import sys

from assetforge.common.settings import Env, SettingsError
from assetforge.gateway.auth.devmode import mint_token
from assetforge.gateway.service.sign_out import TOKEN_MAX_LIFETIME_S
from assetforge.gateway.settings import get_auth_settings

# The gateway refuses a token that lives longer than a sign-out blocks its session.
MAX_HOURS = TOKEN_MAX_LIFETIME_S // 3600


def _hours(text: str) -> int:
    hours = int(text)
    if not 1 <= hours <= MAX_HOURS:
        raise argparse.ArgumentTypeError(f"must be between 1 and {MAX_HOURS}")
    return hours


def main() -> None:
    parser = argparse.ArgumentParser(prog="make token")
    parser.add_argument("--role", choices=("member", "admin"), default="member")
    parser.add_argument(
        "--user", metavar="NAME", help="sign in as did:privy:dev-NAME (default: dev-member or dev-admin by role)"
    )
    parser.add_argument("--hours", type=_hours, default=24, help=f"lifetime, 1 to {MAX_HOURS} (default 24)")
    args = parser.parse_args()
    # Only what signing needs: the mode, the key directory and the app id (no database).
    env = Env()
    auth = get_auth_settings(env, default_mode="dev")
    try:
        env.check()
    except SettingsError as error:
        sys.exit(f"make token: {error}")
    if auth.mode != "dev":
        sys.exit("make token works only with AUTH_MODE=dev (the default of make run)")
    try:
        token = mint_token(auth.dev_key_dir, auth.app_id, role=args.role, user=args.user, ttl_s=args.hours * 3600)
    except ValueError as error:
        parser.error(str(error))
    sys.stdout.write(token + "\n")


if __name__ == "__main__":
    main()
