"""Round-trip YAML that changes only what a run deliberately changes, written atomically.

ruamel.yaml keeps comments, key order and quoting, but it still normalises a few things (indentation
that varies inside one file, odd spacing, line endings). To keep every untouched byte, a file is
rendered as a three-way merge: *base* is ruamel's rendering of the file as read, *ours* is the author's
original text, *theirs* is ruamel's rendering after our edits. Regions we did not edit come from the
author's text; regions we did come from ruamel. Only where both overlap does ruamel's text win, and only
for that region.
"""

from __future__ import annotations

import io
import itertools
import logging
import os
import re
import tempfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import merge3
import yaml as pyyaml
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap
from ruamel.yaml.error import YAMLError

from dbt_osmosis.core.errors import YamlError
from dbt_osmosis.core.schema.align import indented_end, overlay
from dbt_osmosis.core.schema.emit import emit_new
from dbt_osmosis.core.schema.fastload import load_plain
from dbt_osmosis.core.schema.quoting import SafeRoundTripConstructor, SafeRoundTripRepresenter
from dbt_osmosis.core.schema.yaml_errors import yaml_error_message

__all__ = ["SchemaFile", "YamlStyle", "detect_style", "write_atomic", "yaml_error_message"]

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
    yaml.Representer = SafeRoundTripRepresenter  # quote what YAML 1.1 (dbt's reader) would misread
    yaml.Constructor = SafeRoundTripConstructor
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
            content = path.read_bytes()
        except OSError as exc:
            raise YamlError(
                f"Cannot read {display_path}: {exc.strerror or exc}. "
                "Check that it exists and is readable, then run again."
            ) from exc
        try:
            raw = content.decode("utf-8")
        except UnicodeDecodeError as exc:
            line = content.count(b"\n", 0, exc.start) + 1
            column = exc.start - (content.rfind(b"\n", 0, exc.start) + 1) + 1
            raise YamlError(
                f"{display_path} is not UTF-8 text at line {line}, column {column} (byte {exc.start}). "
                "dbt reads YAML as UTF-8: save the file as UTF-8 and run again."
            ) from exc
        return cls.from_text(path, display_path, raw, on_disk=raw)

    @classmethod
    def from_text(cls, path: Path, display_path: str, raw: str, *, on_disk: str | None) -> SchemaFile:
        """A file whose content is ``raw`` while ``on_disk`` (``None``: no file yet) is what disk holds.

        ``yaml organize`` moves entries as text and hands the result on; edits by a later step render
        against ``raw``, and ``changed`` compares with what is on disk.
        """
        try:
            data = pyyaml.load(raw, Loader=_FastLoader)
        except pyyaml.YAMLError as exc:
            raise YamlError(yaml_error_message(display_path, "does not parse", exc, raw)) from exc
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
        if self.original is None:
            return
        # ruamel keeps a comment's line ending inside the comment: read LF text, so that CRLF is
        # added back exactly once when the file is rendered.
        text = _lf(self.original)
        try:
            # A plain file (no comments, blank lines, anchors...) is read into the same round-trip data
            # by libyaml; everything else, and every error message, comes from ruamel's parser.
            data = load_plain(text) or _yaml(self.style).load(text)
        except YAMLError as exc:
            raise YamlError(
                yaml_error_message(self.display_path, "cannot be edited safely", exc, text)
            ) from exc
        if data is None:
            # Nothing but comments or blank lines (a file organize emptied, one without `version:`).
            data = CommentedMap()
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

    def _emit(self, data: Any) -> str:
        # ruamel's exact bytes: from the direct emitter when it is sure, else from ruamel itself.
        style = self.style
        return emit_new(data, style.mapping, style.sequence, style.offset) or self._dump(data)

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
        if self.original is None:
            # A new file holds only what the run wrote: the direct emitter gives ruamel's exact bytes
            # for that shape at a fraction of the cost, and hands anything unusual back to ruamel.
            edited = self._emit(self.data)
            return edited.replace("\n", self.style.newline) if self.style.newline != "\n" else edited
        # The direct emitter declines anything the author wrote that only ruamel lays out right
        # (comments, anchors, flow style, block scalars), so for a plain file it is the same text, faster.
        edited = self._emit(self.data)
        original = _lf(self.original)
        fast = self._overlay(original, edited)
        if fast is not None:
            # The common case: ruamel's output is the file with lines added and owned values replaced;
            # every line of the author's is kept byte for byte. No merge base is needed.
            return self._finish(original, fast)
        # The merge base is ruamel's rendering of the file as read.
        base = self._emit(_yaml(self.style).load(original))
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

    def _overlay(self, original: str, edited: str) -> str | None:
        key_lines: dict[int, tuple[CommentedMap, Any]] | None = None
        before = _lines(original)

        def replaced(index: int) -> str | None:
            # A line holding a `key: value` whose value the run changed in the data (a placeholder
            # description filled); ruamel writes it anew. Located through ruamel's record of where each
            # key was read, so a line ruamel merely re-rendered never passes as deliberate.
            nonlocal key_lines
            if key_lines is None:
                key_lines = _key_lines(self.data)
            found = key_lines.get(index)
            if found is None or not _value_changed(_value_lines(before, index), *found):
                return None
            line = before[index]
            return line[: len(line) - len(line.lstrip(" -"))] + f"{found[1]}:"

        result = overlay(before, _lines(edited), replaced)
        if result is None:
            return None
        lines, approximate = result
        text = "".join(line + "\n" for line in lines)
        if approximate and not _same_data(text, edited):
            return None
        return text

    def _finish(self, original: str, text: str) -> str:
        tail = original[original.rfind("\n") + 1 :]
        if tail and not tail.strip():
            # A last line of only spaces and no final newline: the emitter drops it, the author's
            # bytes keep it.
            if text.endswith(f"\n{tail}\n"):
                text = text[:-1]  # kept (as a comment's end), with a final newline it never had
            elif not text.endswith("\n" + tail):
                text = (text if text.endswith("\n") else text + "\n") + tail
        elif not original.endswith("\n") and text.endswith("\n"):
            text = text[:-1]  # the author's file had no final newline; keep it that way
        return text.replace("\n", self.style.newline) if self.style.newline != "\n" else text

    def changed(self) -> bool:
        """Whether writing the file would change anything on disk."""
        return self.on_disk is None or self.render() != self.on_disk


def _lines(text: str) -> list[str]:
    # Only "\n" ends a line: str.splitlines would also split at form feeds and U+2028 inside values.
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return lines


def _lf(text: str) -> str:
    return text.replace("\r\n", "\n")


def _same_data(text: str, reference: str) -> bool:
    try:
        return bool(pyyaml.load(text, Loader=_FastLoader) == pyyaml.load(reference, Loader=_FastLoader))
    except pyyaml.YAMLError:
        return False


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


def _value_lines(lines: list[str], index: int) -> list[str]:
    # A key's line and the lines its value continues on (a plain or quoted scalar the author wrapped):
    # every following line indented deeper than the key, blank lines inside included.
    line = lines[index]
    column = len(line) - len(line.lstrip(" -"))
    return lines[index : indented_end(lines, index + 1, column)]


def _value_changed(lines: list[str], mapping: CommentedMap, key: Any) -> bool:
    # The key's text without its indentation and dashes, and its continuation lines with as many
    # columns removed, so that they stay deeper than the key.
    first = lines[0]
    column = len(first) - len(first.lstrip(" -"))
    text = "\n".join(line[column:] if not line[:column].strip() else "" for line in lines[1:])
    text = first[column:] + ("\n" + text if len(lines) > 1 else "")
    parsed = _mapping_text(text)
    if parsed is None or key not in parsed:
        return False
    old, new = parsed[key], mapping.get(key)
    return isinstance(new, str | int | float | bool) and str(old) != str(new)


@lru_cache(maxsize=4096)
def _mapping_text(text: str) -> dict[Any, Any] | None:
    # Cached: the same `description: ...` line recurs in file after file. Callers only read the result.
    try:
        parsed = pyyaml.load(text, Loader=_FastLoader)
    except pyyaml.YAMLError:
        return None
    return parsed if isinstance(parsed, dict) else None


def write_atomic(path: Path, text: str) -> None:
    """Write through a temporary file in the same folder and rename, so a crash never leaves half a file.

    A symlink is followed: its target is replaced and the link stays a link. An existing file keeps its
    permission bits; a new one gets what the umask allows, as any other program would create it. The
    temporary file is removed on every failure this process sees (errors and Ctrl-C alike).
    """
    target = Path(os.path.realpath(path)) if path.is_symlink() else path
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        mode = target.stat().st_mode & 0o7777
        replacing = True
    except FileNotFoundError:
        mode = 0o666 & ~_umask()
        replacing = False
    fd, temp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
            handle.flush()
            if replacing:
                # Before the rename replaces what the author wrote, the new text must be on disk. A
                # brand-new file has nothing to lose (a power cut leaves it absent or empty and the
                # next run writes it again), and fsync is most of the cost of a first run's hundreds.
                os.fsync(handle.fileno())
        os.chmod(temp_name, mode)
        os.replace(temp_name, target)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise


def _umask() -> int:
    # Reading the umask without setting it: Linux reports it in /proc; elsewhere it has to be set and
    # restored, which is only a moment and happens while this run is the one writing files.
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask
