"""Writing a YAML file: umask for new files, modes kept, symlinks kept, no temporary file left behind."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from dbt_osmosis.core.schema import yamlio
from dbt_osmosis.core.schema.yamlio import write_atomic


@pytest.fixture
def umask_027() -> Iterator[None]:
    previous = os.umask(0o027)
    try:
        yield
    finally:
        os.umask(previous)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_new_file_follows_the_umask(tmp_path: Path, umask_027: None) -> None:
    path = tmp_path / "models" / "_new.yml"
    write_atomic(path, "version: 2\n")
    assert path.read_text() == "version: 2\n"
    assert mode(path) == 0o640


def test_an_existing_file_keeps_its_mode(tmp_path: Path) -> None:
    path = tmp_path / "schema.yml"
    path.write_text("version: 2\n")
    path.chmod(0o664)
    write_atomic(path, "version: 2\nmodels: []\n")
    assert mode(path) == 0o664
    assert path.read_text() == "version: 2\nmodels: []\n"


def test_writing_through_a_symlink_writes_its_target_and_keeps_the_link(tmp_path: Path) -> None:
    shared = tmp_path / "shared"
    shared.mkdir()
    target = shared / "schema.yml"
    target.write_text("version: 2\n")
    link = tmp_path / "models" / "schema.yml"
    link.parent.mkdir()
    link.symlink_to(Path("..") / "shared" / "schema.yml")
    write_atomic(link, "version: 2\nmodels: []\n")
    assert link.is_symlink()
    assert os.readlink(link) == str(Path("..") / "shared" / "schema.yml")
    assert target.read_text() == "version: 2\nmodels: []\n"
    assert sorted(p.name for p in shared.iterdir()) == ["schema.yml"]
    assert sorted(p.name for p in link.parent.iterdir()) == ["schema.yml"]


def test_no_temporary_file_is_left_when_the_write_fails(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "schema.yml"
    path.write_text("version: 2\n")

    def interrupted(source: object, destination: object) -> None:
        raise KeyboardInterrupt  # Ctrl-C between writing the temporary file and renaming it

    monkeypatch.setattr(yamlio.os, "replace", interrupted)
    with pytest.raises(KeyboardInterrupt):
        write_atomic(path, "version: 2\nmodels: []\n")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["schema.yml"]
    assert path.read_text() == "version: 2\n"


def test_no_temporary_file_is_left_when_the_text_cannot_be_encoded(tmp_path: Path) -> None:
    path = tmp_path / "schema.yml"
    with pytest.raises(UnicodeEncodeError):
        write_atomic(path, "description: \ud800\n")
    assert list(tmp_path.iterdir()) == []
