"""Moving entries between schema files as text: the lines the author wrote travel, re-indented.

An entry is moved with the comment lines directly above it and the comment lines inside it (indented
deeper than its dash, such as a commented-out last column), only re-indented to the list it joins:
comments, quoting, ``{{ doc() }}`` references and block scalars travel unchanged, and the files it
leaves keep every other byte. Each moved file is re-read afterwards as dbt reads it (the text stripped,
then parsed) and must hold exactly the data expected (the entry gone here, there there). Where a block
scalar's final line break would change meaning at its new place (dbt strips a file's end), the move
keeps it: a strip indicator where the text no longer ends the file, a closing comment line where it now
does. An entry that still cannot be moved without changing what dbt reads stays where it is, and is
reported; every other move goes ahead.
"""

from __future__ import annotations

import copy
import posixpath
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

import yaml as pyyaml
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import YAMLError

from dbt_osmosis.core.dbt.project import DbtProject
from dbt_osmosis.core.errors import OsmosisError
from dbt_osmosis.core.schema.yamlio import yaml_error_message

__all__ = [
    "END_COMMENT",
    "SAFE_LOADER",
    "EntryMove",
    "OrganizeError",
    "apply_moves",
    "load_plain",
    "normal_path",
]


SAFE_LOADER: Any = getattr(pyyaml, "CSafeLoader", pyyaml.SafeLoader)

#: Closes a file whose last entry ends with a block scalar that has a final line break: dbt strips the
#: file before parsing it, which would drop that line break from the value.
END_COMMENT = "# (end of file: keeps the line break that ends the text above)"

_WHY_SOURCE = "another entry uses its anchor, or the layout is unusual"
_WHY_TARGET = "an alias whose anchor stays behind, or an unusual layout"
_KEY_COMMENT = re.compile(r"^[^#]*:[ \t]+(?P<comment>#.*(\r?\n)?)$")
_BLOCK_HEADER = re.compile(r"^(?P<head>[^#]*?:[ \t]*[|>])(?P<ind>[1-9+-]*)(?P<tail>[ \t]*(#.*)?)$")


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


def apply_moves(
    project: DbtProject, moves: list[EntryMove]
) -> tuple[dict[str, tuple[str, str | None]], dict[int, str]]:
    """Make the moves as text: (path -> (new text, text on disk or None), move index -> why it stays).

    A move that would change what dbt reads, in the file it leaves or the file it joins, is not made;
    the others are made again without it until every file checks out.
    """
    skipped: dict[int, str] = {}
    while True:
        active = [index for index in range(len(moves)) if index not in skipped]
        try:
            return _apply(project, moves, active), skipped
        except _Unsafe as exc:
            skipped.update(exc.culprits)


class _Unsafe(Exception):
    def __init__(self, culprits: dict[int, str]) -> None:
        super().__init__(culprits)
        self.culprits = culprits


def _apply(
    project: DbtProject, moves: list[EntryMove], active: list[int]
) -> dict[str, tuple[str, str | None]]:
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
    for index in active:
        by_source.setdefault(normal_path(moves[index].source or ""), []).append((index, moves[index]))
    for path, items in by_source.items():
        text = text_of(path)
        if text is None:
            raise _Unsafe({index: f"{path} is gone (run dbt parse again)" for index, _ in items})
        try:
            located = _locate(path, text)
        except OrganizeError as exc:
            raise _Unsafe({index: str(exc) for index, _ in items}) from exc
        spans: dict[int, tuple[int, int, str, str]] = {}
        missing: dict[int, str] = {}
        for index, move in items:
            found = located.get((move.key, move.name))
            if found is None:
                missing[index] = f"no `{move.name}` entry under `{move.key}` was found in {path}"
                continue
            blocks[index] = found
            spans[index] = (found.start, found.end, move.key, move.name)
        if missing:
            raise _Unsafe(missing)
        new_text = _removed(path, text, list(spans.values()), located, items)
        if new_text is None:
            # One at a time: the moves whose own removal changes what dbt reads stay; if none does
            # alone, they only fail together, and all of this file's stay.
            alone = {
                index: f"dbt would read {path} differently without it ({_WHY_SOURCE})"
                for index, move in items
                if _removed(path, text, [spans[index]], located, [(index, move)]) is None
            }
            raise _Unsafe(
                alone
                or {
                    index: f"dbt would read {path} differently without it and the other entries moved from it"
                    for index, _ in items
                }
            )
        texts[path] = (new_text, texts[path][1])
    by_target: dict[str, list[tuple[int, EntryMove]]] = {}
    for index in active:
        by_target.setdefault(normal_path(moves[index].target), []).append((index, moves[index]))
    for path, items in by_target.items():
        text = text_of(path)
        newline = "\r\n" if text and "\r\n" in text else _newline_of(blocks[items[0][0]].text)
        base = text if text is not None else f"version: 2{newline}"
        try:
            expected = load_plain(path, base)
        except OrganizeError as exc:
            raise _Unsafe({index: str(exc) for index, _ in items}) from exc
        base = _without_end_comment(base)
        for index, move in items:
            block = blocks[index]
            expected.setdefault(move.key, []).append(copy.deepcopy(block.data))
            placed = _placed(path, base, move.key, block, newline, expected)
            if placed is None:
                raise _Unsafe({index: f"dbt would read it differently there ({_WHY_TARGET})"})
            base = placed
        texts[path] = (base, texts[path][1])
    return texts


def _removed(
    path: str,
    text: str,
    spans: list[tuple[int, int, str, str]],
    located: Mapping[tuple[str, str], _Block],
    items: list[tuple[int, EntryMove]],
) -> str | None:
    # The file without the entries, or None when dbt would read anything else differently.
    expected = load_plain(path, text)
    for _, move in items:
        _drop(expected, move.key, move.name)
    new_text = _remove(text, spans, located)
    return _closed(path, new_text, expected)


def _placed(path: str, text: str, key: str, block: _Block, newline: str, expected: Any) -> str | None:
    # The block added to the file, its final line break kept as dbt reads it; None when impossible.
    candidates = [block]
    stripped = _strip_chomping(block)
    if stripped is not None:
        candidates.append(stripped)
    if block.blank_tail:
        candidates.append(replace(block, text=block.text + "\n" * block.blank_tail.count("\n")))
    for candidate in candidates:
        try:
            inserted = _insert(path, text, key, candidate, newline)
        except OrganizeError:
            return None
        closed = _closed(path, inserted, expected)
        if closed is not None:
            return closed
    return None


def _closed(path: str, text: str, expected: Any) -> str | None:
    # ``text`` as is when dbt reads ``expected`` from it; else with a closing comment line when that
    # keeps a block scalar's final line break from dbt's strip; else None.
    try:
        if load_plain(path, text) == expected:
            return text
        newline = _newline_of(text)
        ending = "" if text.endswith(("\n", "\r")) else newline
        closed = f"{text}{ending}{END_COMMENT}{newline}"
        if load_plain(path, closed) == expected:
            return closed
    except OrganizeError:
        pass  # the text does not parse (an alias without its anchor): not safe
    return None


def _without_end_comment(text: str) -> str:
    # A closing comment added by an earlier run goes when entries are added after its text.
    lines = text.splitlines(keepends=True)
    if lines and lines[-1].strip() == END_COMMENT:
        return "".join(lines[:-1])
    return text


def _strip_chomping(block: _Block) -> _Block | None:
    # The last block scalar of the entry with the strip indicator: a text that ended the file it
    # leaves had no final line break for dbt, and must have none where more follows it.
    lines = block.text.splitlines(keepends=True)
    for number in range(len(lines) - 1, -1, -1):
        body = lines[number].rstrip("\r\n")
        match = _BLOCK_HEADER.match(body)
        if match is None or _is_comment(body):
            continue
        indent = "".join(ch for ch in match["ind"] if ch.isdigit())
        ending = lines[number][len(body) :]
        lines[number] = f"{match['head']}-{indent}{match['tail']}{ending}"
        return replace(block, text="".join(lines))
    return None


@dataclass(frozen=True)
class _Block:
    start: int  # first line (leading comment lines included), 0-based
    end: int  # one past the last line
    dash: int  # column of the item's dash
    text: str  # the lines, as written
    data: Any  # the entry as plain data
    #: The blank lines right after it: part of the value of a block scalar that keeps them (``|+``).
    blank_tail: str = ""


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
            dash = len(lines[starts[i]]) - len(lines[starts[i]].lstrip(" "))
            end = boundary
            # Blank lines and comment lines at the dash's column or left of it belong to what follows
            # (a section comment, the next entry); comment lines indented deeper are the entry's own
            # (a commented-out last column), and so are a block scalar's lines, whatever they start with.
            while end > starts[i] + 1 and _outside(lines[end - 1], dash):
                end -= 1
            start = starts[i]
            while start > previous_end and _is_comment(lines[start - 1]):
                start -= 1
            previous_end = end
            name = item.get("name") if isinstance(item, dict) else None
            if not isinstance(name, str):
                continue
            entry = next(
                (e for e in plain.get(key) or [] if isinstance(e, dict) and e.get("name") == name), None
            )
            tail = end
            while tail < len(lines) and not lines[tail].strip():
                tail += 1
            found[(str(key), name)] = _Block(
                start, end, dash, "".join(lines[start:end]), entry, "".join(lines[end:tail])
            )
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
                # The key goes; comments under it or on its line stay (they belong to no entry).
                drop.update(i for i in range(key_line + 1, first) if not lines[i].strip())
                comment = _KEY_COMMENT.match(lines[key_line])
                if comment is None:
                    drop.add(key_line)
                else:
                    lines[key_line] = comment["comment"]
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


def _drop(data: dict[str, Any], key: str, name: str) -> None:
    items = data.get(key)
    if isinstance(items, list):
        data[key] = [e for e in items if not (isinstance(e, dict) and e.get("name") == name)]
        if not data[key]:
            del data[key]


def load_plain(path: str, text: str) -> Any:
    """A file's text as dbt reads it (stripped, then parsed): plain data, an empty mapping when none.

    Unparsable text raises ``OrganizeError``.
    """
    try:
        data = pyyaml.load(text.strip(), Loader=SAFE_LOADER)
    except pyyaml.YAMLError as exc:
        raise OrganizeError(yaml_error_message(path, "does not parse", exc, text)) from exc
    return data if isinstance(data, dict) else {}


def _outside(line: str, dash: int) -> bool:
    if not line.strip():
        return True
    return _is_comment(line) and len(line) - len(line.lstrip(" ")) <= dash


def _is_comment(line: str) -> bool:
    return line.lstrip().startswith("#")


def _newline_of(text: str) -> str:
    return "\r\n" if "\r\n" in text else "\n"


def normal_path(path: str) -> str:
    """A project-relative path in one spelling, so that two spellings of one file compare equal."""
    return posixpath.normpath(path) if path else path
