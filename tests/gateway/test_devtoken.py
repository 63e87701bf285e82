"""``make token``: development tokens for the default users by role, or for any named
user (``--user NAME``), verifiable with the development public key."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import jwt
import pytest

from assetforge.gateway.auth.devmode import dev_public_key, mint_token
from assetforge.gateway.auth.tokens import ALGORITHM, ISSUER

APP = "assetforge-dev"


def _claims(token: str, keys: Path) -> dict[str, Any]:
    claims: dict[str, Any] = jwt.decode(
        token, dev_public_key(keys), algorithms=[ALGORITHM], audience=APP, issuer=ISSUER
    )
    return claims


def test_the_default_users_are_named_by_role(tmp_path: Path) -> None:
    assert _claims(mint_token(tmp_path, APP), tmp_path)["sub"] == "did:privy:dev-member"
    admin = _claims(mint_token(tmp_path, APP, role="admin"), tmp_path)
    assert (admin["sub"], admin["af_role"]) == ("did:privy:dev-admin", "admin")


def test_a_named_user_is_a_user_of_its_own_with_the_role_asked_for(tmp_path: Path) -> None:
    alice = _claims(mint_token(tmp_path, APP, user="alice"), tmp_path)
    bob = _claims(mint_token(tmp_path, APP, role="admin", user="bob_2-x"), tmp_path)
    assert (alice["sub"], alice["af_role"]) == ("did:privy:dev-alice", "member")
    assert (bob["sub"], bob["af_role"]) == ("did:privy:dev-bob_2-x", "admin")


@pytest.mark.parametrize("name", ["", "Alice", "al ice", "a/b", "é", "a" * 41])
def test_a_name_outside_the_rule_is_refused_before_any_key_is_made(tmp_path: Path, name: str) -> None:
    keys = tmp_path / "keys"
    with pytest.raises(ValueError, match="1-40 characters of a-z, 0-9, _ and -"):
        mint_token(keys, APP, user=name)
    assert not keys.exists()


def _cli(keys: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {"PATH": os.environ["PATH"], "NODE_ENV": "development", "DEV_AUTH_DIR": str(keys)}
    return subprocess.run(
        [sys.executable, "-m", "assetforge.gateway.auth.devtoken", *args],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def test_the_command_line_mints_for_the_user_named(tmp_path: Path) -> None:
    default = _cli(tmp_path)
    named = _cli(tmp_path, "--role", "admin", "--user", "alice")
    assert default.returncode == named.returncode == 0, default.stderr + named.stderr
    assert _claims(default.stdout.strip(), tmp_path)["sub"] == "did:privy:dev-member"
    claims = _claims(named.stdout.strip(), tmp_path)
    assert (claims["sub"], claims["af_role"]) == ("did:privy:dev-alice", "admin")


def test_the_command_line_explains_a_bad_name(tmp_path: Path) -> None:
    result = _cli(tmp_path, "--user", "Alice Smith")
    assert result.returncode == 2
    assert result.stdout == ""
    assert "user name must be 1-40 characters of a-z, 0-9, _ and -, got 'Alice Smith'" in result.stderr
