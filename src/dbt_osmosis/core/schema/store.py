"""The schema YAML files a run touches, each read once and kept in memory until the run writes them."""

from __future__ import annotations

import posixpath
from pathlib import Path

from dbt_osmosis.core.schema.yamlio import SchemaFile, YamlStyle

__all__ = ["SchemaStore"]


class SchemaStore:
    """Loads schema files by path relative to the project root and hands out one object per file."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._files: dict[str, SchemaFile] = {}

    def get(self, relative_path: str) -> SchemaFile | None:
        """The parsed file at ``relative_path``, or ``None`` when it does not exist on disk or in memory."""
        key = _normalise(relative_path)
        if key not in self._files:
            path = self.root / key
            if not path.is_file():
                return None
            self._files[key] = SchemaFile.read(path, key)
        return self._files[key]

    def get_or_create(self, relative_path: str) -> SchemaFile:
        """The file at ``relative_path``, created in memory (not on disk) when it does not exist yet."""
        existing = self.get(relative_path)
        if existing is not None:
            return existing
        key = _normalise(relative_path)
        created = SchemaFile.new(self.root / key, key, self._house_style())
        self._files[key] = created
        return created

    def put(self, schema_file: SchemaFile) -> None:
        """Hold ``schema_file`` (by its display path) instead of reading that path from disk."""
        self._files[_normalise(schema_file.display_path)] = schema_file

    def files(self) -> list[SchemaFile]:
        """Every file loaded or created so far, in a stable order."""
        return [self._files[key] for key in sorted(self._files)]

    def _house_style(self) -> YamlStyle:
        # A new file follows the style of the project's existing YAML, so it does not stand out.
        for schema_file in self._files.values():
            if schema_file.original is not None:
                return YamlStyle(
                    schema_file.style.mapping, schema_file.style.sequence, schema_file.style.offset
                )
        return YamlStyle()


def _normalise(relative_path: str) -> str:
    return posixpath.normpath(Path(relative_path).as_posix())
