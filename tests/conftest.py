"""Shared test fixtures and paths."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
VENDORED_SHARED = REPO / "tests" / "data" / "shared"


def live_shared() -> Path | None:
    """The read-only `shared/` folder next to the repository (or CAP_SHARED_DIR), when present."""
    for candidate in (os.environ.get("CAP_SHARED_DIR"), REPO.parent / "shared", Path("/work/shared")):
        if candidate and (Path(candidate) / "contract").is_dir():
            return Path(candidate)
    return None


SHARED = live_shared() or VENDORED_SHARED


def shared_path(*parts: str) -> Path:
    """A file of the shared folder: the live one when present, else the vendored copy."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        path = VENDORED_SHARED.joinpath(*parts)
    assert path.exists(), f"missing shared file {path}"
    return path


@pytest.fixture(scope="session")
def personas() -> list[dict]:
    """The public persona cases (shared/personas/public.yml)."""
    import yaml

    return yaml.safe_load(shared_path("personas", "public.yml").read_text(encoding="utf-8"))["personas"]


@pytest.fixture(scope="session")
def assistant(tmp_path_factory):
    """The real assistant (trained model, action server, Rasa server) for the whole session."""
    from tests.support.servers import running_assistant

    # the personas describe the rules of March 2026: replay them under those rules
    with running_assistant(tmp_path_factory.mktemp("assistant"), env={"CAP_AS_OF": "2026-03-15"}) as running:
        yield running
