"""The committed widget bundle is built from the current sources, with no CDN and no HTML sinks."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
WEB = REPO / "web"
STATIC = REPO / "bot" / "web" / "static"
VENDOR = Path(__file__).resolve().parent / "vendor"


def source_hash() -> str:
    """SHA-256 of the widget sources, computed exactly like web/build.mjs::sourceHash."""
    files = sorted(
        [p.relative_to(WEB).as_posix() for p in (WEB / "src").rglob("*") if p.is_file()]
        + ["package-lock.json", "build.mjs"]
    )
    digest = hashlib.sha256()
    for rel in files:
        data = (WEB / rel).read_bytes()
        digest.update(f"{rel}\n{len(data)}\n".encode())
        digest.update(data)
        digest.update(b"\n")
    return digest.hexdigest()


def test_committed_bundle_is_up_to_date() -> None:
    expected = source_hash()
    for name in ("cap-widget.js", "cap-widget.css"):
        head = (STATIC / name).read_text(encoding="utf-8")[:400]
        found = re.search(r"source-sha256: ([0-9a-f]{64})", head)
        assert found, f"{name} has no source hash header"
        assert found.group(1) == expected, (
            f"bot/web/static/{name} is older than web/src: run `make widget` (cd web && npm ci && node build.mjs)"
        )


def test_lock_file_pins_the_declared_dependencies() -> None:
    package = json.loads((WEB / "package.json").read_text(encoding="utf-8"))
    lock = json.loads((WEB / "package-lock.json").read_text(encoding="utf-8"))
    declared = {**package["dependencies"], **package["devDependencies"]}
    assert set(declared) == {"socket.io-client", "axe-core", "esbuild"}
    for name, version in declared.items():
        assert lock["packages"][f"node_modules/{name}"]["version"] == version
        assert lock["packages"][f"node_modules/{name}"].get("integrity", "").startswith("sha512-")
    assert package["dependencies"]["socket.io-client"].startswith("4.")


def test_vendored_axe_is_the_locked_version() -> None:
    lock = json.loads((WEB / "package-lock.json").read_text(encoding="utf-8"))
    version = lock["packages"]["node_modules/axe-core"]["version"]
    head = (VENDOR / "axe.min.js").read_text(encoding="utf-8")[:300]
    assert f"axe v{version}" in head


def test_widget_sources_never_parse_text_as_html() -> None:
    sinks = re.compile(r"innerHTML|outerHTML|insertAdjacentHTML|document\.write|\beval\(|new Function|srcdoc")
    for path in (WEB / "src").rglob("*.js"):
        assert not sinks.search(path.read_text(encoding="utf-8")), path


def test_demo_page_loads_nothing_from_elsewhere() -> None:
    page = (STATIC / "index.html").read_text(encoding="utf-8")
    refs = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert refs
    for ref in refs:
        assert ref.startswith(("/", "#", "data:")), ref
    assert re.search(r'<html lang="fr">', page)
    assert "<script>" not in page and "style=" not in page  # nothing inline: strict CSP
    bundle = (STATIC / "cap-widget.js").read_text(encoding="utf-8")
    assert "cdn" not in bundle.lower()


def test_embed_line_is_a_single_script_tag() -> None:
    page = (STATIC / "index.html").read_text(encoding="utf-8")
    tags = re.findall(r"<script[^>]*>", page)
    assert tags == ['<script src="/cap-widget.js" data-server-url="http://localhost:5005" '
                    'data-title="Cap Reconversion" data-primary-color="#000091" data-lang="fr" defer>']
