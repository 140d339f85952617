"""Round-trip YAML that changes only what a run deliberately changes, written atomically.

ruamel.yaml keeps comments, key order and quoting, but it still normalises a few things (indentation
that varies inside one file, odd spacing, line endings). To keep every untouched byte, a file is
rendered as a three-way merge: *base* is ruamel's rendering of the file as read, *ours* is the author's
original text, *theirs* is ruamel's rendering after our edits. Regions we did not edit come from the
author's text; regions we did come from ruamel. Only where both overlap does ruamel's text win, and only
for that region.
"""

from __future__ import annotations

import difflib
import io
import itertools
import logging
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import merge3
import yaml as pyyaml
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap
from ruamel.yaml.error import YAMLError

from dbt_osmosis.core.errors import YamlError

__all__ = ["SchemaFile", "YamlStyle", "detect_style", "write_atomic"]

log = logging.getLogger("dbt_osmosis")

# libyaml's C loader reads a file about thirty times faster than the round-trip parser.
_FastLoader: Any = getattr(pyyaml, "CSafeLoader", pyyaml.SafeLoader)

_DASH_LINE = re.compile(r"^( *)-( +)\S")
_KEY_LINE = re.compile(r"^( *)[^\s#-][^:#]*:\s*(#.*)?$")


@dataclass(frozen=True)
class YamlStyle:
    """How a file lays out its YAML, so that what we add looks like what is there."""

    mapping: int = 2
    sequence: int = 4
    offset: int = 2
    newline: str = "\n"


def detect_style(text: str) -> YamlStyle:
    """Infer indentation, list-indent style and line endings from a file's text.

    ``offset`` is where a list's dash sits relative to its parent key, ``sequence`` where the item's
    content starts (``  - name`` is offset 2, sequence 4; ``-   name`` is offset 0, sequence 4), and
    ``mapping`` how far a nested mapping's keys are indented.
    """
    newline = "\r\n" if "\r\n" in text else "\n"
    lines = [
        line
        for line in text.replace("\r\n", "\n").split("\n")
        if line.strip() and not line.lstrip().startswith("#")
    ]
    offset: int | None = None
    sequence: int | None = None
    mapping: int | None = None
    for previous, line in itertools.pairwise(lines):
        key = _KEY_LINE.match(previous)
        if not key:
            continue
        key_indent = len(key.group(1))
        dash = _DASH_LINE.match(line)
        if dash:
            if offset is None:
                offset = max(0, len(dash.group(1)) - key_indent)
                sequence = offset + 1 + len(dash.group(2))
        elif mapping is None and _KEY_LINE.match(line):
            indent = len(line) - len(line.lstrip(" "))
            if indent > key_indent:
                mapping = indent - key_indent
        if offset is not None and mapping is not None:
            break
    if offset is None or sequence is None:
        offset, sequence = 2, 4
    if mapping is None:
        mapping = max(2, sequence - offset)
    return YamlStyle(mapping=mapping, sequence=sequence, offset=offset, newline=newline)


def _yaml(style: YamlStyle) -> YAML:
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = 1_000_000  # never re-wrap a long description
    yaml.indent(mapping=style.mapping, sequence=style.sequence, offset=style.offset)
    return yaml


class SchemaFile:
    """One schema YAML file: its parsed data, the author's original text, and how to render it back."""

    def __init__(
        self,
        path: Path,
        display_path: str,
        original: str | None,
        data: dict[str, Any],
        style: YamlStyle,
        *,
        editable: bool = True,
    ) -> None:
        self.editable = editable
        self.path = path
        self.display_path = display_path
        self.original = original
        self.data = data
        self.style = style
        self._touched = original is None
        self._rendered: str | None = None
        #: What the file holds on disk (``None``: it does not exist yet); ``original`` unless set apart.
        self.on_disk: str | None = original

    @classmethod
    def read(cls, path: Path, display_path: str) -> SchemaFile:
        """Read a YAML file for inspection; a file that does not parse raises ``YamlError`` with its line.

        The fast C loader reads it first; the slower round-trip parse happens only in ``make_editable``,
        for the few files a run actually changes.
        """
        try:
            raw = path.read_bytes().decode("utf-8")
        except OSError as exc:
            raise YamlError(f"Cannot read {display_path}: {exc.strerror}.") from exc
        except UnicodeDecodeError as exc:
            raise YamlError(f"{display_path} is not UTF-8 text (byte {exc.start}).") from exc
        return cls.from_text(path, display_path, raw, on_disk=raw)

    @classmethod
    def from_text(cls, path: Path, display_path: str, raw: str, *, on_disk: str | None) -> SchemaFile:
        """A file whose content is ``raw`` while ``on_disk`` (``None``: no file yet) is what disk holds.

        ``yaml organize`` moves entries as text and hands the result on; edits by a later step render
        against ``raw``, and ``changed`` compares with what is on disk.
        """
        try:
            data = pyyaml.load(raw, Loader=_FastLoader)
        except pyyaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "an unknown line"
            problem = exc.problem or exc.context or "invalid YAML"
            raise YamlError(
                f"{display_path} does not parse at {where}: {problem}. Fix the YAML and run again."
            ) from exc
        except pyyaml.YAMLError as exc:
            raise YamlError(f"{display_path} does not parse: {' '.join(str(exc).split())}.") from exc
        if data is None:
            data = {}
        if not isinstance(data, dict):
            raise YamlError(f"{display_path} must hold a YAML mapping at the top (e.g. `version: 2`).")
        schema_file = cls(path, display_path, raw, data, detect_style(raw), editable=False)
        schema_file.on_disk = on_disk
        return schema_file

    def make_editable(self) -> None:
        """Re-read the file with the round-trip parser so edits keep comments, order and quoting."""
        if self.editable:
            return
        assert self.original is not None
        try:
            data = _yaml(self.style).load(self.original)
        except YAMLError as exc:
            raise YamlError(
                f"{self.display_path} cannot be edited safely: {' '.join(str(exc).split())}. "
                "Fix the YAML (duplicate keys are a common cause) and run again."
            ) from exc
        if not isinstance(data, CommentedMap):
            raise YamlError(f"{self.display_path} must hold a YAML mapping at the top (e.g. `version: 2`).")
        self.data = data
        self.editable = True

    @classmethod
    def new(cls, path: Path, display_path: str, style: YamlStyle | None = None) -> SchemaFile:
        """A file that does not exist yet; it starts with the ``version: 2`` header dbt expects."""
        data = CommentedMap()
        data["version"] = 2
        return cls(path, display_path, None, data, style or YamlStyle())

    def _dump(self, data: Any) -> str:
        buffer = io.StringIO()
        _yaml(self.style).dump(data, buffer)
        return buffer.getvalue()

    def touch(self) -> None:
        """Mark the data as edited; only touched files are ever re-rendered (untouched ones cost nothing)."""
        self._touched = True
        self._rendered = None

    def render(self) -> str:
        """The file's text after this run's edits, byte-identical to the original where nothing changed."""
        if self._rendered is None:
            self._rendered = self._render()
        return self._rendered

    def _render(self) -> str:
        if (not self._touched and self.original is not None) or not self.editable:
            return self.original or ""
        edited = self._dump(self.data)
        if self.original is None:
            return edited.replace("\n", self.style.newline) if self.style.newline != "\n" else edited
        original = self.original.replace("\r\n", "\n")
        if _only_deliberate_changes(original, edited, self.data):
            # The common case: ruamel reproduced every line of the file except the values we changed,
            # so its output already keeps every byte the author wrote. No merge base is needed.
            return self._finish(original, edited)
        # The merge base is ruamel's rendering of the file as read.
        base = self._dump(_yaml(self.style).load(self.original))
        if edited == base:
            return self.original
        merged: list[str] = []
        groups = merge3.Merge3(
            base.splitlines(keepends=True),
            original.splitlines(keepends=True),
            edited.splitlines(keepends=True),
        ).merge_groups()
        for group in groups:
            kind = group[0]
            if kind == "conflict":
                # Our edit overlaps a region ruamel reformatted: the edit wins, for that region only.
                merged.extend(group[3])  # type: ignore[misc]
            else:
                merged.extend(group[1])
        text = "".join(merged)
        if not _same_data(text, edited):
            # The author's layout and ruamel's differ too much around an edit for a line merge to be
            # safe; never write YAML that means something else: take ruamel's rendering of the file.
            log.debug("%s: line merge would change the data; writing ruamel's rendering", self.display_path)
            text = edited
        return self._finish(original, text)

    def _finish(self, original: str, text: str) -> str:
        if not original.endswith("\n") and text.endswith("\n"):
            text = text[:-1]  # the author's file had no final newline; keep it that way
        return text.replace("\n", self.style.newline) if self.style.newline != "\n" else text

    def changed(self) -> bool:
        """Whether writing the file would change anything on disk."""
        return self.on_disk is None or self.render() != self.on_disk


def _same_data(text: str, reference: str) -> bool:
    try:
        return bool(pyyaml.load(text, Loader=_FastLoader) == pyyaml.load(reference, Loader=_FastLoader))
    except pyyaml.YAMLError:
        return False


def _only_deliberate_changes(original: str, edited: str, data: Any) -> bool:
    """Whether ``edited`` is ``original`` with lines added and only deliberately changed lines replaced.

    A replaced line is deliberate when it holds a ``key: value`` whose value the run changed in
    ``data`` (a placeholder description filled, say). A line that ruamel merely re-rendered keeps its
    value, so it fails this test and the caller falls back to the three-way merge.
    """
    before, after = original.splitlines(), edited.splitlines()
    key_lines: dict[int, tuple[CommentedMap, Any]] | None = None
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, before, after, autojunk=False).get_opcodes():
        if tag in ("equal", "insert"):
            continue
        if tag != "replace" or i2 - i1 != 1:
            return False
        if key_lines is None:
            key_lines = _key_lines(data)
        found = key_lines.get(i1)
        if found is None or not _value_changed(before[i1], *found):
            return False
        key = found[1]
        prefix = before[i1][: len(before[i1]) - len(before[i1].lstrip(" -"))] + f"{key}:"
        if not any(line.startswith(prefix) for line in after[j1:j2]):
            return False
    return True


def _key_lines(
    node: Any, found: dict[int, tuple[CommentedMap, Any]] | None = None
) -> dict[int, tuple[CommentedMap, Any]]:
    # Where each key that was read from the file sat (0-based line); keys added by the run have none.
    found = {} if found is None else found
    if isinstance(node, CommentedMap):
        for key, value in node.items():
            try:
                line = node.lc.key(key)[0]
            except (KeyError, TypeError, AttributeError):
                line = None
            if line is not None:
                found[line] = (node, key)
            _key_lines(value, found)
    elif isinstance(node, list):
        for item in node:
            _key_lines(item, found)
    return found


def _value_changed(line: str, mapping: CommentedMap, key: Any) -> bool:
    text = line.strip()
    if text.startswith("- "):
        text = text[2:]
    try:
        parsed = pyyaml.load(text, Loader=_FastLoader)
    except pyyaml.YAMLError:
        return False
    if not isinstance(parsed, dict) or key not in parsed:
        return False
    old, new = parsed[key], mapping.get(key)
    return isinstance(new, str | int | float | bool) and str(old) != str(new)


def write_atomic(path: Path, text: str) -> None:
    """Write through a temporary file in the same folder and rename, so a crash never leaves half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    mode = path.stat().st_mode & 0o777 if path.exists() else None
    fd, temp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        if mode is not None:
            os.chmod(temp_name, mode)
        os.replace(temp_name, path)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise
