"""The knowledge-base build goes through one registry of parts; the build module knows no area."""

from __future__ import annotations

import ast
from pathlib import Path

from bot.catalogue import build
from bot.knowledge import PARTS

BUILD_SOURCE = Path(build.__file__)


def test_parts_in_build_order():
    assert [p.name for p in build._parts()] == ["dispositifs", "communes", "structures", "trainings_embedded"]
    assert len(PARTS) == 4


def test_every_part_hashes_existing_files():
    for part in build._parts():
        files = part.files()
        assert files and all(path.is_file() for path in files), part.name


def test_build_module_imports_no_area():
    imported = set()
    for node in ast.walk(ast.parse(BUILD_SOURCE.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            imported.add(node.module)
        elif isinstance(node, ast.Import):
            imported.update(alias.name for alias in node.names)
    assert not {m for m in imported if m.startswith(("bot.trainings", "bot.geo", "bot.catalogue.structures"))}
