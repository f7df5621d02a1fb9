"""Service data -> the text of a registry file: short columns one per line, the rest in
block style, then a TODO comment on the keys a person must fill in."""

from __future__ import annotations

import yaml

FLOW_WIDTH = 100  # a column or index longer than this is written in block style
TODO = {
    "owner": "TODO: the team that owns this database (S601 until it is filled in)",
    "description": "TODO: what this service's data is for (S601 until it is filled in)",
}


class _Flow(dict):
    """A mapping written on one line: `{name: id, type: uuid, primary_key: true}`."""


try:  # libyaml's C emitter, when PyYAML has it
    _Base = yaml.CSafeDumper
except AttributeError:  # pragma: no cover - depends on how PyYAML was built
    _Base = yaml.SafeDumper  # type: ignore[misc]


class _Dumper(_Base):  # type: ignore[valid-type,misc]
    def ignore_aliases(self, data: object) -> bool:
        return True


def _flow_mapping(dumper: yaml.SafeDumper, data: _Flow) -> yaml.Node:
    return dumper.represent_mapping("tag:yaml.org,2002:map", data, flow_style=True)


def _flow_list(dumper: yaml.SafeDumper, data: list) -> yaml.Node:
    flow = all(isinstance(item, str | int | float | bool) for item in data)
    return dumper.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=flow)


def _text(dumper: yaml.SafeDumper, data: str) -> yaml.Node:
    style = "|" if "\n" in data else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", data, style=style)


_Dumper.add_representer(_Flow, _flow_mapping)
_Dumper.add_representer(list, _flow_list)
_Dumper.add_representer(str, _text)


def _dump(data: object) -> str:
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=4096)


def _compact(item: dict) -> dict:
    """One line when it has no multi-line text and (about) fits in FLOW_WIDTH."""
    width = 2
    for key, value in item.items():
        if isinstance(value, str) and "\n" in value:
            return item
        width += (
            len(key)
            + 4
            + (sum(len(str(v)) + 2 for v in value) if isinstance(value, list) else len(str(value)))
        )
    return _Flow(item) if width <= FLOW_WIDTH else item


def service_yaml(data: dict, header: list[str]) -> str:
    """The file's text: `header` comment lines, then the data."""
    tables = [
        {
            **table,
            "columns": [_compact(c) for c in table["columns"]],
            **({"indexes": [_compact(i) for i in table["indexes"]]} if "indexes" in table else {}),
        }
        for table in data.get("tables", [])
    ]
    body = _dump({**data, "tables": tables} if "tables" in data else data)
    lines = []
    for line in body.splitlines():
        key = line.split(":", 1)[0]
        if key in TODO and line == f"{key}: null":
            line = f"{key}:  # {TODO[key]}"
        lines.append(line)
    return "".join(f"# {h}\n" for h in header) + "\n".join(lines) + "\n"
