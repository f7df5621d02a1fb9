"""Turn a rule's `Bad` / `Good` YAML example into a registry on disk, ready to check.

An example is one or more YAML documents separated by `---`. Each document is a service
file; the keys a snippet leaves out are filled in (`service: example`, its `database`,
`owner`, `description`) so a snippet shows only what matters. A document whose first
line is `# orion.yaml` is the registry's settings file instead, one whose first line
is `# file: PATH` is written as-is to PATH under the registry (e.g. a `migration.sql`), and
one whose first line is `# base` is a service file at the base revision (written under
`base/`, for the rules that compare with it: `diff --base base`).
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from ..source import parse

SETTINGS_MARK = "# orion.yaml"
FILE_MARK = "# file: "
BASE_MARK = "# base"
BASE_DIR = "base"  # where `# base` documents go: a registry of its own
_DOC_SPLIT = re.compile(r"^---\s*$", re.MULTILINE)


def documents(example: str) -> list[str]:
    return [doc for doc in _DOC_SPLIT.split(example) if doc.strip()]


def write_example(example: str, root: Path) -> Path:
    """Write the example as a registry under `root`; return `root`."""
    services = root / "services"
    services.mkdir(parents=True, exist_ok=True)
    for doc in documents(example):
        if doc.lstrip().startswith(FILE_MARK):
            mark, _, content = doc.lstrip().partition("\n")
            path = root / mark.removeprefix(FILE_MARK).strip()
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(content, encoding="utf-8")
            continue
        if doc.lstrip().startswith(SETTINGS_MARK):
            (root / "orion.yaml").write_text(doc, encoding="utf-8")
            continue
        folder = services
        if doc.lstrip().startswith(BASE_MARK):
            folder = root / BASE_DIR / "services"
            folder.mkdir(parents=True, exist_ok=True)
        data = parse(doc).data or {}  # read as the registry reads it (YAML 1.2 booleans)
        name = data.setdefault("service", "example")
        filled = {
            "service": name,
            "database": data.pop("database", f"orion_{name}"),
            "owner": data.pop("owner", "example-team"),
            "description": data.pop("description", f"The {name} service."),
            **{k: v for k, v in data.items() if k != "service"},
        }
        text = yaml.safe_dump(filled, sort_keys=False, allow_unicode=True)
        (folder / f"{name}.yaml").write_text(text, encoding="utf-8")
    return root
