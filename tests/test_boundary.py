"""The repository is the boundary: nothing outside it is read or written, and a registry
entry that is not a plain file (a link leaving the repository, a dangling link, a FIFO, a
device) is a located finding instead of being read or silently skipped."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from .helpers import SHARED, copy_registry, run_cli

OUTSIDE_MARK = "zq_outside_marker"
SCHEMA = SHARED / "corpus"


@pytest.fixture
def layout(tmp_path: Path) -> tuple[Path, Path]:
    """(a registry copy in tmp/repo/registry, a folder outside the repository)."""
    repo, outside = tmp_path / "repo", tmp_path / "elsewhere"
    copy_registry(repo / "registry")
    outside.mkdir()
    return repo / "registry", outside


def check(registry: Path) -> tuple[int, str, str]:
    return run_cli("check", "--registry", str(registry))


def test_a_service_link_leaving_the_repository_is_never_read(layout) -> None:
    registry, outside = layout
    leak = outside / "private.yaml"
    leak.write_text(f"service: leak\n{OUTSIDE_MARK}: 1\n", encoding="utf-8")
    (registry / "services" / "leak.yaml").symlink_to(leak)
    code, out, err = check(registry)
    assert code == 2 and OUTSIDE_MARK not in out + err
    assert "services/leak.yaml:1:1: L001 not read: the file is a symbolic link that leads " in out


def test_a_link_inside_the_repository_is_read(layout) -> None:
    registry, _ = layout
    shared = registry.parent / "shared"
    shared.mkdir()
    (registry / "services" / "user.yaml").rename(shared / "user.yaml")
    (registry / "services" / "user.yaml").symlink_to(Path("../../shared/user.yaml"))
    assert check(registry)[0] == 0


@pytest.mark.parametrize("name", ["ghost.yml", "orion.yaml"])
def test_a_dangling_link_is_reported(layout, name: str) -> None:
    registry, outside = layout
    folder = registry if name == "orion.yaml" else registry / "services"
    (folder / name).unlink(missing_ok=True)
    (folder / name).symlink_to(outside / "gone.yaml")
    code, out, _ = check(registry)
    assert code == 2 and f"{name}:1:1: L001 not read: the file " in out


@pytest.mark.parametrize("name", ["queue.yaml", "orion.yaml"])
def test_a_fifo_is_reported_not_read_and_not_skipped(layout, name: str) -> None:
    registry, _ = layout
    folder = registry if name == "orion.yaml" else registry / "services"
    (folder / name).unlink(missing_ok=True)
    os.mkfifo(folder / name)
    code, out, _ = check(registry)  # reading it would block forever
    assert code == 2 and f"{name}:1:1: L001 not read: the file is a FIFO (named pipe)" in out


def test_a_device_is_reported(layout) -> None:
    registry, _ = layout
    try:
        os.mknod(registry / "services" / "null.yaml", stat.S_IFCHR | 0o600, os.makedev(1, 3))
    except PermissionError:
        pytest.skip("creating a device node needs root")
    code, out, _ = check(registry)
    assert code == 2 and "null.yaml:1:1: L001 not read: the file is a device" in out


def add_migrations_dir(registry: Path, value: str) -> None:
    path = registry / "services" / "user.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("\ntables:", f"\nmigrations_dir: {value}\ntables:", 1), "utf-8")


@pytest.mark.parametrize("value", ["/", "../../../elsewhere", "../../../elsewhere/../elsewhere"])
def test_migrations_dir_outside_is_located_and_never_listed(layout, value: str) -> None:
    registry, outside = layout
    (outside / f"20250101000000_{OUTSIDE_MARK}").mkdir()
    add_migrations_dir(registry, value)
    code, out, err = check(registry)
    assert OUTSIDE_MARK not in out + err and "bin" not in out.split()
    [line] = [line for line in out.splitlines() if "L003" in line]
    assert "services/user.yaml:" in line and "leads outside the repository" in line
    assert code == 1


def test_migrations_dir_via_a_link_leaving_the_repository(layout) -> None:
    registry, outside = layout
    (outside / f"20250101000000_{OUTSIDE_MARK}").mkdir()
    (registry / "migrations").symlink_to(outside)
    add_migrations_dir(registry, "../migrations")
    _code, out, _ = check(registry)
    assert OUTSIDE_MARK not in out and "leads outside the repository" in out


def test_a_migration_sql_link_leaving_the_repository_is_not_read(layout) -> None:
    registry, outside = layout
    folder = registry / "migrations" / "20250101000000_init"
    folder.mkdir(parents=True)
    (outside / "migration.sql").write_text(f"{OUTSIDE_MARK.upper()} TABLE x;", encoding="utf-8")
    (folder / "migration.sql").symlink_to(outside / "migration.sql")
    add_migrations_dir(registry, "../migrations")
    _, out, _ = check(registry)
    assert OUTSIDE_MARK.upper() not in out and OUTSIDE_MARK not in out
    assert "20250101000000_init/migration.sql:1:1:" in out and "not read" in out


def test_git_top_is_the_boundary_when_there_is_one(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    registry = repo / "db" / "registry"
    copy_registry(registry)
    (repo / ".git").mkdir()
    (repo / "prisma" / "migrations").mkdir(parents=True)
    add_migrations_dir(registry, "../../../prisma/migrations")  # above the registry's parent
    _, out, _ = check(registry)
    assert "leads outside the repository" not in out


def test_resolve_inside(tmp_path: Path) -> None:
    from orion_registry.paths import OutsideRepository, resolve_inside

    (tmp_path / "a").mkdir()
    assert resolve_inside(tmp_path / "a", "../a/b", tmp_path) == (tmp_path / "a" / "b")
    with pytest.raises(OutsideRepository):
        resolve_inside(tmp_path / "a", "../../x", tmp_path)


def test_write_atomic_replaces_a_file_and_refuses_a_link(tmp_path: Path) -> None:
    from orion_registry.paths import OutsideRepository, write_atomic

    target = tmp_path / "f.yaml"
    target.write_text("old", encoding="utf-8")
    write_atomic(target, "new", tmp_path)
    assert target.read_text(encoding="utf-8") == "new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["f.yaml"]  # no temp file left
    outside = tmp_path.parent / f"{tmp_path.name}-outside.txt"
    outside.write_text("keep", encoding="utf-8")
    link = tmp_path / "l.yaml"
    link.symlink_to(outside)
    with pytest.raises(OutsideRepository, match="symbolic link"):
        write_atomic(link, "x", tmp_path)
    assert outside.read_text(encoding="utf-8") == "keep"


# --- import prisma -----------------------------------------------------------------------
def schema_file(tmp_path: Path) -> Path:
    path = tmp_path / "repo" / "schema.prisma"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        'datasource db {\n  provider = "postgresql"\n  url = env("DB")\n}\n'
        "model Parcel {\n  id String @id @default(uuid()) @db.Uuid\n  label String\n"
        '  @@map("parcels")\n}\n',
        encoding="utf-8",
    )
    return path


def import_prisma(schema: Path, registry: Path, *extra: str) -> tuple[int, str, str]:
    return run_cli(
        "import", "prisma", str(schema), "--service", "parcels", "--registry", str(registry),
        *extra,
    )  # fmt: skip


@pytest.mark.parametrize("force", [False, True])
@pytest.mark.parametrize("exists", [False, True])
def test_import_never_writes_through_a_link(tmp_path: Path, force: bool, exists: bool) -> None:
    schema = schema_file(tmp_path)
    registry = tmp_path / "repo" / "registry"
    (registry / "services").mkdir(parents=True)
    victim = tmp_path / "victim.txt"
    if exists:
        victim.write_text("precious", encoding="utf-8")
    (registry / "services" / "parcels.yaml").symlink_to(victim)
    code, out, _err = import_prisma(schema, registry, *(["--force"] if force else []))
    assert code == 2 and "wrote" not in out
    assert victim.read_text(encoding="utf-8") == "precious" if exists else not victim.exists()


def test_import_into_a_services_folder_link_leaving_the_repository(tmp_path: Path) -> None:
    schema = schema_file(tmp_path)
    registry = tmp_path / "repo" / "registry"
    registry.mkdir(parents=True)
    (tmp_path / "away").mkdir()
    (registry / "services").symlink_to(tmp_path / "away")
    code, _, err = import_prisma(schema, registry)
    assert code == 2 and "not a folder inside the repository" in err
    assert list((tmp_path / "away").iterdir()) == []


def test_import_refuses_the_services_folder_as_registry(tmp_path: Path) -> None:
    schema = schema_file(tmp_path)
    registry = tmp_path / "repo" / "registry"
    copy_registry(registry)
    code, _, err = import_prisma(schema, registry / "services")
    assert code == 2 and f"pass --registry {registry.as_posix()}" in err
    assert not (registry / "services" / "services").exists()


def test_import_refuses_a_services_path_that_is_a_file(tmp_path: Path) -> None:
    schema = schema_file(tmp_path)
    registry = tmp_path / "repo" / "registry"
    registry.mkdir(parents=True)
    (registry / "services").write_text("not a folder", encoding="utf-8")
    code, _, err = import_prisma(schema, registry)
    assert code == 2 and "not a folder" in err and "Traceback" not in err


def test_import_refuses_a_file_over_the_loaders_limit(tmp_path: Path, monkeypatch) -> None:
    from orion_registry.commands import prisma

    monkeypatch.setattr(prisma, "MAX_BYTES", 200)  # the imported file is ~400 bytes
    schema = schema_file(tmp_path)
    registry = tmp_path / "repo" / "registry"
    code, _, err = import_prisma(schema, registry)
    assert code == 2 and "over the registry's limit of 200" in err
    assert not (registry / "services" / "parcels.yaml").exists()


def test_import_writes_atomically_and_the_result_checks(tmp_path: Path) -> None:
    schema = schema_file(tmp_path)
    registry = tmp_path / "repo" / "registry"
    assert import_prisma(schema, registry)[0] == 0
    assert import_prisma(schema, registry, "--force")[0] == 0
    assert sorted(p.name for p in (registry / "services").iterdir()) == ["parcels.yaml"]
    _code, out, _ = check(registry)
    assert "L00" not in out


def test_import_refuses_a_fifo_schema(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe.prisma")
    code, _, err = import_prisma(tmp_path / "pipe.prisma", tmp_path / "registry")
    assert code == 2 and "not a regular file" in err


def test_a_prisma_schema_that_is_a_fifo_is_not_read(layout) -> None:
    registry, _ = layout
    schema = registry.parent / "packages" / "user" / "prisma" / "schema.prisma"
    schema.unlink()
    os.mkfifo(schema)
    code, out, _ = check(registry)  # reading it would block forever
    assert code != 0 and "schema.prisma:1:1: L002" in out and "not a regular file" in out
