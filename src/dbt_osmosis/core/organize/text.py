"""Moving entries between schema files as text: the lines the author wrote travel, re-indented.

An entry is moved with the comment lines directly above it, only re-indented to the list it joins:
comments, quoting, ``{{ doc() }}`` references and block scalars travel unchanged, and the files it
leaves keep every other byte. Each moved file is re-read afterwards and must hold exactly the data
expected (the entry gone here, there there); anything else stops the run before anything is written.
"""

from __future__ import annotations

import copy
import posixpath
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import yaml as pyyaml
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import YAMLError

from dbt_osmosis.core.dbt.project import DbtProject
from dbt_osmosis.core.errors import OsmosisError
from dbt_osmosis.core.schema.yamlio import yaml_error_message

__all__ = ["SAFE_LOADER", "EntryMove", "OrganizeError", "apply_moves", "load_plain", "normal_path"]


SAFE_LOADER: Any = getattr(pyyaml, "CSafeLoader", pyyaml.SafeLoader)


class OrganizeError(OsmosisError):
    """The path templates or the files make a move ambiguous or unsafe; nothing was written."""


@dataclass
class EntryMove:
    """One entry to move: which list and name, from which file to which, for which nodes."""

    what: str
    key: str
    name: str
    source: str | None
    target: str
    node_ids: list[str]


def apply_moves(project: DbtProject, moves: list[EntryMove]) -> dict[str, tuple[str, str | None]]:
    """Make the moves as text: path -> (new text, text on disk or None).

    Every file is read once; removals come first, then insertions, and each file is checked after.
    """
    texts: dict[str, tuple[str, str | None]] = {}

    def text_of(path: str) -> str | None:
        key = normal_path(path)
        if key not in texts:
            file = project.root / key
            on_disk = file.read_bytes().decode("utf-8") if file.is_file() else None
            texts[key] = (on_disk or "", on_disk)
        text, on_disk = texts[key]
        return text if (on_disk is not None or text) else None

    blocks: dict[int, _Block] = {}
    by_source: dict[str, list[tuple[int, EntryMove]]] = {}
    for index, move in enumerate(moves):
        by_source.setdefault(normal_path(move.source or ""), []).append((index, move))
    for path, items in by_source.items():
        text = text_of(path)
        if text is None:
            raise OrganizeError(f"{path} is gone; run dbt parse again. Nothing was written.")
        located = _locate(path, text)
        expected = load_plain(path, text)
        spans: list[tuple[int, int, str, str]] = []
        for index, move in items:
            found = located.get((move.key, move.name))
            if found is None:
                raise OrganizeError(
                    f"{move.what}: no `{move.name}` entry under `{move.key}` in {path} to move; "
                    "nothing was written."
                )
            blocks[index] = found
            spans.append((found.start, found.end, move.key, move.name))
            _drop(expected, move.key, move.name)
        new_text = _remove(text, spans, located)
        _verify(path, new_text, expected)
        texts[path] = (new_text, texts[path][1])
    by_target: dict[str, list[tuple[int, EntryMove]]] = {}
    for index, move in enumerate(moves):
        by_target.setdefault(normal_path(move.target), []).append((index, move))
    for path, items in by_target.items():
        text = text_of(path)
        newline = "\r\n" if text and "\r\n" in text else _newline_of(blocks[items[0][0]].text)
        base = text if text is not None else f"version: 2{newline}"
        expected = load_plain(path, base)
        for index, move in items:
            block = blocks[index]
            base = _insert(path, base, move.key, block, newline)
            expected.setdefault(move.key, []).append(copy.deepcopy(block.data))
        _verify(path, base, expected)
        texts[path] = (base, texts[path][1])
    return texts


@dataclass(frozen=True)
class _Block:
    start: int  # first line (leading comment lines included), 0-based
    end: int  # one past the last line
    dash: int  # column of the item's dash
    text: str  # the lines, as written
    data: Any  # the entry as plain data


def _locate(path: str, text: str) -> dict[tuple[str, str], _Block]:
    """Every named entry of every top-level list, with the lines it spans."""
    try:
        data = YAML(typ="rt").load(text)
    except YAMLError as exc:
        raise OrganizeError(yaml_error_message(path, "cannot be organized", exc, text)) from exc
    plain = load_plain(path, text)
    lines = text.splitlines(keepends=True)
    found: dict[tuple[str, str], _Block] = {}
    if not isinstance(data, CommentedMap):
        return found
    keys = list(data.keys())
    for position, key in enumerate(keys):
        items = data[key]
        if not isinstance(items, CommentedSeq) or not items or items.fa.flow_style():
            continue
        key_line = data.lc.key(key)[0]
        after = data.lc.key(keys[position + 1])[0] if position + 1 < len(keys) else len(lines)
        starts = [_dash_line(lines, items.lc.item(i)[0]) for i in range(len(items))]
        previous_end = key_line + 1
        for i, item in enumerate(items):
            boundary = starts[i + 1] if i + 1 < len(items) else after
            end = boundary
            while end > starts[i] + 1 and _is_blank_or_comment(lines[end - 1]):
                end -= 1
            start = starts[i]
            while start > previous_end and _is_comment(lines[start - 1]):
                start -= 1
            previous_end = end
            name = item.get("name") if isinstance(item, dict) else None
            if not isinstance(name, str):
                continue
            dash = len(lines[starts[i]]) - len(lines[starts[i]].lstrip(" "))
            entry = next(
                (e for e in plain.get(key) or [] if isinstance(e, dict) and e.get("name") == name), None
            )
            found[(str(key), name)] = _Block(start, end, dash, "".join(lines[start:end]), entry)
    return found


def _dash_line(lines: list[str], line: int) -> int:
    # An item written as "-" alone on its line has its content on the next one.
    if not lines[line].lstrip(" ").startswith("-") and line > 0 and lines[line - 1].strip() == "-":
        return line - 1
    return line


def _remove(
    text: str, spans: list[tuple[int, int, str, str]], located: Mapping[tuple[str, str], _Block]
) -> str:
    lines = text.splitlines(keepends=True)
    drop: set[int] = set()
    for start, end, _, _ in spans:
        drop.update(range(start, end))
    removed_keys = {(key, name) for _, _, key, name in spans}
    # A list whose every entry leaves loses its key line too (an empty `models:` would be null).
    for key in {key for key, _ in removed_keys}:
        siblings = [block for (k, _), block in located.items() if k == key]
        if siblings and all((key, name) in removed_keys for (k, name) in located if k == key):
            first = min(block.start for block in siblings)
            key_line = next((i for i in range(first - 1, -1, -1) if lines[i].startswith(f"{key}:")), None)
            if key_line is not None:
                drop.update(range(key_line, first))
    return "".join(line for index, line in enumerate(lines) if index not in drop)


def _insert(path: str, text: str, key: str, block: _Block, newline: str) -> str:
    located = _locate(path, text)
    lines = text.splitlines(keepends=True)
    siblings = [b for (k, _), b in located.items() if k == key]
    data = load_plain(path, text)
    if siblings:
        last = max(siblings, key=lambda b: b.end)
        moved = _reindent(block.text, last.dash - block.dash, newline)
        return "".join(lines[: last.end]) + moved + "".join(lines[last.end :])
    if key in data:
        raise OrganizeError(
            f"{path} has `{key}:` in a form entries cannot be appended to (a flow list or a value); "
            "write it as a block list. Nothing was written."
        )
    if text and not text.endswith("\n"):
        text += newline
    return f"{text}{newline}{key}:{newline}" + _reindent(block.text, 0, newline)


def _reindent(text: str, shift: int, newline: str) -> str:
    out: list[str] = []
    for line in text.splitlines():
        if not line.strip():
            out.append("")
        elif shift >= 0:
            out.append(" " * shift + line)
        else:
            spaces = len(line) - len(line.lstrip(" "))
            out.append(line[min(spaces, -shift) :])
    return newline.join(out) + newline


def _verify(path: str, text: str, expected: Any) -> None:
    if load_plain(path, text) != expected:
        raise OrganizeError(
            f"Moving entries in {path} as text would change what the file means (its layout is unusual "
            "around them); move them by hand or simplify the file. Nothing was written."
        )


def _drop(data: dict[str, Any], key: str, name: str) -> None:
    items = data.get(key)
    if isinstance(items, list):
        data[key] = [e for e in items if not (isinstance(e, dict) and e.get("name") == name)]
        if not data[key]:
            del data[key]


def load_plain(path: str, text: str) -> Any:
    """A file's text as plain data (an empty mapping when it holds none); unparsable text stops the run."""
    try:
        data = pyyaml.load(text, Loader=SAFE_LOADER)
    except pyyaml.YAMLError as exc:
        raise OrganizeError(yaml_error_message(path, "does not parse", exc, text)) from exc
    return data if isinstance(data, dict) else {}


def _is_blank_or_comment(line: str) -> bool:
    return not line.strip() or line.lstrip().startswith("#")


def _is_comment(line: str) -> bool:
    return line.lstrip().startswith("#")


def _newline_of(text: str) -> str:
    return "\r\n" if "\r\n" in text else "\n"


def normal_path(path: str) -> str:
    """A project-relative path in one spelling, so that two spellings of one file compare equal."""
    return posixpath.normpath(path) if path else path
