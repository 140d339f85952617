"""Schema YAML text written directly instead of through ruamel's emitter, byte for byte the same.

A file that did not exist holds only what the run put in it: block mappings and lists of names, data
types and descriptions; most files that exist hold nothing more. For that shape ruamel's round-trip
emitter is almost all overhead, so this module writes the same text itself, deciding each scalar's
style with ruamel's own analysis, so the bytes are exactly those ruamel would write. Anything outside
that shape (comments, flow lists, block scalars, anchors, merge keys, empty collections, a null in a
list, characters ruamel escapes; blank lines are fine) answers ``None`` and the caller uses ruamel.
Tests compare both emitters byte for byte, on new data, generated hand-written files and every
fixture and real-project file as read and after edits.
"""

from __future__ import annotations

import io
from functools import lru_cache
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.anchor import Anchor
from ruamel.yaml.comments import Comment, CommentedMap, CommentedSeq, Format, merge_attrib
from ruamel.yaml.emitter import Emitter
from ruamel.yaml.nodes import ScalarNode
from ruamel.yaml.scalarstring import DoubleQuotedScalarString, PlainScalarString, SingleQuotedScalarString
from ruamel.yaml.tag import Tag

from dbt_osmosis.core.schema.quoting import reads_as_other_in_yaml11

__all__ = ["emit_new"]

_ANALYSER = Emitter(io.StringIO(), allow_unicode=True)
_ANALYSER.use_version = None  # type: ignore[attr-defined]  # read by the analysis; our dumps declare no %YAML version either
_RESOLVER = YAML(typ="rt").resolver
_STR_TAG = _RESOLVER.resolve(ScalarNode, "text", (True, False))


class _Unsupported(Exception):
    """The data holds something only ruamel's emitter writes right."""


def emit_new(data: Any, mapping: int, sequence: int, offset: int) -> str | None:
    """The text ruamel would write for ``data`` with these indents, or ``None`` when unsure."""
    if not isinstance(data, dict) or not data:
        return None
    out: list[str] = []
    try:
        _mapping(data, 0, "", out, mapping, sequence, offset)
    except _Unsupported:
        return None
    return "".join(out)


def _plain_container(node: Any) -> None:
    # Comments, anchors, tags or flow style on a collection: ruamel decides the layout.
    if isinstance(node, CommentedMap | CommentedSeq):
        # Read through the attributes, not ruamel's properties, which attach new empty objects to
        # every collection asked (a visible cost on thousands of files).
        comment = getattr(node, Comment.attrib, None)
        if comment is not None:
            if comment.comment or comment.end:
                raise _Unsupported
            if not all(_scalar_child(node, key) for key in comment.items):
                raise _Unsupported  # blank lines or comments held by a collection: ruamel places them
        if getattr(getattr(node, Format.attrib, None), "_flow_style", None):
            raise _Unsupported
        if getattr(getattr(node, Anchor.attrib, None), "value", None):
            raise _Unsupported
        if getattr(getattr(node, Tag.attrib, None), "value", None):
            raise _Unsupported
        if getattr(node, merge_attrib, None):
            raise _Unsupported  # `<<: *base` keys: ruamel writes the merge, not the merged keys
    elif type(node) not in (dict, list):
        raise _Unsupported
    if not node:
        raise _Unsupported


def _line_end(node: Any, key: Any, slot: int) -> str:
    """What ends the line of a scalar: a newline, plus the empty lines ruamel keeps after it.

    ruamel keeps blank lines after a scalar as a comment of newlines in the container's ``ca.items``
    (slot 2 for a mapping value, 0 for a list item); a real comment is declined.
    """
    items = getattr(getattr(node, Comment.attrib, None), "items", None)
    slots = items.get(key) if items else None
    if slots is None:
        return "\n"
    if any(token is not None for position, token in enumerate(slots) if position != slot):
        raise _Unsupported
    token = slots[slot] if len(slots) > slot else None
    if token is None:
        return "\n"
    value = getattr(token, "value", None)
    if not isinstance(value, str) or not value or value.strip("\n"):
        raise _Unsupported
    return value


def _scalar_child(node: Any, key: Any) -> bool:
    # Whether a key or index with comment slots holds a scalar (whose line end the emitter writes).
    try:
        value = node[key]
    except (KeyError, IndexError, TypeError):
        return False
    return not isinstance(value, dict | list)


def _mapping(
    node: Any, indent: int, first: str, out: list[str], mapping: int, sequence: int, offset: int
) -> None:
    """Write a block mapping; its first key follows ``first`` (a dash) on the current line."""
    _plain_container(node)
    pad = " " * indent
    lead = first
    for key, value in node.items():
        out.append(lead or pad)
        lead = ""
        out.append(_scalar(key, simple_key=True))
        out.append(":")
        if isinstance(value, dict):
            out.append("\n")
            _mapping(value, indent + mapping, "", out, mapping, sequence, offset)
        elif isinstance(value, list):
            out.append("\n")
            _sequence(value, indent, out, mapping, sequence, offset)
        elif value is None:
            if _line_end(node, key, 2) != "\n":
                raise _Unsupported
            out.append("\n")  # `key:` with nothing after it, as ruamel writes a null value
        else:
            out.append(" ")
            out.append(_scalar(value, simple_key=False))
            out.append(_line_end(node, key, 2))


def _sequence(node: Any, parent: int, out: list[str], mapping: int, sequence: int, offset: int) -> None:
    """Write a block sequence whose parent key sits at column ``parent``."""
    _plain_container(node)
    dash = " " * (parent + offset) + "-" + " " * (sequence - offset - 1)
    for index, item in enumerate(node):
        if isinstance(item, dict):
            _mapping(item, parent + sequence, dash, out, mapping, sequence, offset)
        elif isinstance(item, list):
            raise _Unsupported
        else:
            out.append(dash)
            out.append(_scalar(item, simple_key=False))
            out.append(_line_end(node, index, 0))


# The style each string type asks ruamel's emitter for (our representer asks single quotes for plain
# strings YAML 1.1 would misread; see quoting.py).
_REQUESTED = {SingleQuotedScalarString: "'", DoubleQuotedScalarString: '"', PlainScalarString: ""}


def _scalar(value: Any, *, simple_key: bool) -> str:
    kind = type(value)
    if simple_key and len(str(value)) >= 128:
        raise _Unsupported  # ruamel writes a long key as an explicit `? key`
    if kind is int:
        return str(value)
    if kind is bool:
        return "true" if value else "false"
    if kind is str:
        requested = "'" if reads_as_other_in_yaml11(value) else None
    elif kind in _REQUESTED and _anchor_name(value) is None:
        requested = _REQUESTED[kind]
    else:
        raise _Unsupported  # block scalars, floats, dates, None: ruamel's representer decides
    if not value:
        if simple_key:
            raise _Unsupported
        return '""' if requested == '"' else "''"  # an empty string, never read back as a null
    style = _style(str(value), requested)
    if style == "":
        return str(value)
    if style == "'":
        return "'" + str(value).replace("'", "''") + "'"
    if style == '"':
        return _double_quoted(str(value))
    raise _Unsupported


@lru_cache(maxsize=65_536)
def _style(value: str, requested: str | None) -> str | None:
    # ruamel's Emitter.choose_scalar_style for a scalar in block context, on one line.
    analysis = _ANALYSER.analyze_scalar(value)
    if analysis.empty or analysis.multiline or "\n" in value:
        return None
    if requested == '"':
        return '"'
    implicit = _RESOLVER.resolve(ScalarNode, value, (True, False)) == _STR_TAG
    if not requested and implicit and analysis.allow_block_plain:
        return ""
    if not requested and analysis.allow_double_quoted and "'" in value:
        return '"'
    if requested != '"' and analysis.allow_single_quoted:
        return "'"
    return '"'


def _anchor_name(value: Any) -> str | None:
    # Read without ruamel's `anchor` property, which attaches a new empty anchor to every scalar asked.
    anchor = getattr(value, Anchor.attrib, None)
    return getattr(anchor, "value", None)


def _double_quoted(value: str) -> str:
    # ruamel escapes only `"`, `\` and characters outside these ranges (never wrapping at our width).
    for ch in value:
        if not ("\x20" <= ch <= "\x7e" or "\xa0" <= ch <= "\ud7ff" or "\ue000" <= ch <= "\ufffd"):
            raise _Unsupported
        if ch == "\ufeff":
            raise _Unsupported
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
