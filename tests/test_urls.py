"""`docs_url` (and any URL the registry gives) is http(s): another scheme is a located L002
and never reaches SARIF, whose links fall back to the default guide."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from orion_registry.reporters.sarif import DEFAULT_DOCS_URL

from .helpers import BUNDLED_REGISTRY, run_cli


def uris(node: object) -> list[str]:
    """Every value of a `...Uri`/`uri` key anywhere in a SARIF document."""
    if isinstance(node, dict):
        found = [v for k, v in node.items() if k.lower().endswith("uri") and isinstance(v, str)]
        return found + [u for v in node.values() for u in uris(v)]
    if isinstance(node, list):
        return [u for v in node for u in uris(v)]
    return []


def with_docs_url(tmp_path: Path, url: str) -> Path:
    registry = tmp_path / "registry"
    shutil.copytree(BUNDLED_REGISTRY, registry)
    settings = registry / "orion.yaml"
    text = settings.read_text(encoding="utf-8")
    lines = [f"docs_url: {json.dumps(url)}" if line.startswith("docs_url:") else line
             for line in text.splitlines()]  # fmt: skip
    settings.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return registry


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(document.domain)//",
        "JavaScript:void(0)",
        "data:text/html;base64,PGgxPg==",
        "file:///etc/hosts",
        "vbscript:msgbox",
        "ftp://docs.example.org/guide/",
        "//docs.example.org/guide/",
        " https://docs.example.org/",
        "https://docs.example.org/a b",
        "https://docs.example.org/\x1b[2J",
    ],
)
def test_a_docs_url_that_is_not_http_is_located_and_kept_out_of_sarif(
    tmp_path: Path, url: str
) -> None:
    registry = with_docs_url(tmp_path, url)
    code, out, _ = run_cli("check", "--registry", str(registry))
    assert code == 1
    [line] = [line for line in out.splitlines() if " L002 " in line]
    assert line.startswith(f"{registry.as_posix()}/orion.yaml:")
    assert "docs_url: must be an http:// or https:// URL" in line
    _, sarif, _ = run_cli("check", "--registry", str(registry), "--format", "sarif")
    links = uris(json.loads(sarif))
    assert links and all(link.startswith(("https://", "registry", str(tmp_path))) for link in links)
    assert not [link for link in links if url.strip() in link]
    assert any(link.startswith(DEFAULT_DOCS_URL) for link in links)


@pytest.mark.parametrize("url", ["https://guide.example.org/db/", "http://intranet/guide/"])
def test_an_http_docs_url_is_used(tmp_path: Path, url: str) -> None:
    registry = with_docs_url(tmp_path, url)
    code, sarif, _ = run_cli("check", "--registry", str(registry), "--format", "sarif")
    assert code == 0 and any(link.startswith(url) for link in uris(json.loads(sarif)))
