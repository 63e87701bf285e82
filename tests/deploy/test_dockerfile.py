"""deploy/Dockerfile and .dockerignore: what the image is built from and how it starts."""

from __future__ import annotations

import fnmatch
import re
import tomllib
from pathlib import Path

from tests.deploy.manifests import (
    ROOT,
    SERVICES,
    dockerfile_instructions,
    dockerfile_user,
    module_service,
    runtime_stage,
)


def copied_sources() -> list[str]:
    """Sources of every COPY from the build context (not from another stage)."""
    sources = []
    for instruction in dockerfile_instructions():
        if instruction.keyword not in {"COPY", "ADD"}:
            continue
        words = instruction.words()
        if any(word.startswith("--from") for word in words):
            continue
        assert instruction.keyword == "COPY", "ADD fetches and unpacks; use COPY"
        paths = [word for word in words if not word.startswith("--")]
        sources.extend(path.rstrip("/") for path in paths[:-1])
    return sources


def workspace_members() -> list[Path]:
    root = tomllib.loads((ROOT / "pyproject.toml").read_text())
    members = []
    for pattern in root["tool"]["uv"]["workspace"]["members"]:
        members.extend(path for path in sorted(ROOT.glob(pattern)) if (path / "pyproject.toml").is_file())
    return members


def dockerignore_patterns() -> list[str]:
    lines = (ROOT / ".dockerignore").read_text().splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def test_the_dockerfile_copies_existing_files_that_the_dockerignore_keeps() -> None:
    sources = copied_sources()
    assert sources
    for source in sources:
        assert (ROOT / source).exists(), f"COPY {source}: no such file in the build context"
        parts = Path(source).parts
        prefixes = ["/".join(parts[: length + 1]) for length in range(len(parts))]
        for pattern in dockerignore_patterns():
            assert not any(fnmatch.fnmatch(prefix, pattern) for prefix in prefixes), f"{pattern} hides {source}"


def test_the_dockerfile_copies_and_installs_every_workspace_member() -> None:
    sources = set(copied_sources())
    assert {"pyproject.toml", "uv.lock"} <= sources
    service_packages = set()
    for member in workspace_members():
        relative = member.relative_to(ROOT).as_posix()
        assert {f"{relative}/pyproject.toml", f"{relative}/src"} <= sources, relative
        if member.parent.name == "services":
            service_packages.add(tomllib.loads((member / "pyproject.toml").read_text())["project"]["name"])
    assert len(service_packages) == len(SERVICES)
    syncs = [
        instruction.words()
        for instruction in dockerfile_instructions()
        if instruction.keyword == "RUN" and instruction.arguments.startswith("uv sync")
    ]
    assert syncs
    for words in syncs:
        assert {"--frozen", "--no-dev"} <= set(words)
        installed = {words[index + 1] for index, word in enumerate(words) if word == "--package"}
        assert installed == service_packages


def test_the_image_runs_python_modules_as_an_unprivileged_user() -> None:
    stage = runtime_stage()
    by_keyword = {instruction.keyword: instruction for instruction in stage}
    assert by_keyword["ENTRYPOINT"].words() == ["python", "-m"]
    module_service(by_keyword["CMD"].words()[0])
    assert dockerfile_user() >= 1000
    defaults = dict(
        instruction.arguments.split("=", 1) for instruction in dockerfile_instructions() if instruction.keyword == "ARG"
    )
    for instruction in dockerfile_instructions():
        if instruction.keyword == "FROM":
            image = instruction.words()[0]
            image = re.sub(r"\$\{(\w+)\}", lambda match: defaults[match.group(1)], image)
            assert re.search(r":[\w.-]+$", image), f"pin {image} to a tag"
            assert not image.endswith(":latest"), f"pin {image} to a version"


def test_the_dockerignore_keeps_out_what_git_ignores() -> None:
    patterns = set(dockerignore_patterns())
    assert ".git" in patterns
    for line in (ROOT / ".gitignore").read_text().splitlines():
        if line.endswith("/"):
            name = line.rstrip("/")
            assert name in patterns or f"**/{name}" in patterns, f".dockerignore lets {name} into the image"
