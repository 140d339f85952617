"""Round-trip data for a plain schema file, built from libyaml's parser instead of ruamel's.

Editing a file needs ruamel's round-trip types (``CommentedMap`` with the line of every key, quoted
strings that stay quoted), and ruamel's pure-Python parser is most of what an edit of a small file
costs. Most schema files hold nothing that only ruamel's parser keeps: no comments, anchors, tags,
flow collections or block scalars, and blank lines only after values (kept as ruamel keeps them).
For those, this module builds the very data ruamel would from libyaml's event stream (about thirty
times faster), and answers ``None`` for anything else, so the caller reads the file with ruamel.
Tests compare both readings (values, types, key lines, blank lines and the rendered text) on every
fixture and real-project file and on generated and hand-written-style files.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

import yaml as pyyaml
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import StreamMark
from ruamel.yaml.nodes import ScalarNode
from ruamel.yaml.resolver import VersionedResolver
from ruamel.yaml.scalarstring import DoubleQuotedScalarString, PlainScalarString, SingleQuotedScalarString
from ruamel.yaml.tokens import CommentToken

from dbt_osmosis.core.schema.quoting import reads_as_other_in_yaml11

__all__ = ["load_plain"]

_CParser: Any = getattr(pyyaml, "CSafeLoader", None)
_RESOLVER = VersionedResolver()  # ruamel's YAML 1.2 resolution, which decides what a plain scalar is
_STR = "tag:yaml.org,2002:str"
_INT = "tag:yaml.org,2002:int"
_BOOL = "tag:yaml.org,2002:bool"
_NULL = "tag:yaml.org,2002:null"
_DECIMAL = re.compile(r"[1-9][0-9]*")  # ruamel keeps `0` and `007` as ScalarInt, with their width
# Text ruamel keeps outside the data (comments, lines of only spaces, blank lines at the top) or
# reads differently from libyaml (tabs, a byte-order mark, Unicode line breaks): read by ruamel.
_NOT_PLAIN = re.compile("#|\t|\r|\ufeff|\x85|\u2028|\u2029|\n[ ]+\n|\n[ ]+\\Z|^[ ]*\n")
_QUOTED = {"'": SingleQuotedScalarString, '"': DoubleQuotedScalarString}


class _Declined(Exception):
    """The file holds something only ruamel's parser reads into round-trip data faithfully."""


def load_plain(text: str) -> CommentedMap | None:
    """The data ruamel's round-trip loader gives for ``text`` (LF line ends), or ``None`` when unsure."""
    if _CParser is None or _NOT_PLAIN.search(text) or not text.strip():
        return None
    blanks = _blank_runs(text)
    try:
        events = pyyaml.parse(text, Loader=_CParser)
        root = _document(iter(events), blanks)
    except (_Declined, pyyaml.YAMLError, StopIteration):  # StopIteration: a stream cut short
        return None
    if blanks:
        return None  # blank lines after something other than a scalar value: ruamel's own placement
    return root if isinstance(root, CommentedMap) else None


def _blank_runs(text: str) -> dict[int, int]:
    # For each line followed by empty lines: how many (the last line's newline ends no empty line).
    runs: dict[int, int] = {}
    last = 0
    lines = text.split("\n")
    for number, line in enumerate(lines[:-1]):
        if line:
            last = number
        else:
            runs[last] = runs.get(last, 0) + 1
    return runs


def _blank_token(event: Any, blanks: dict[int, int]) -> CommentToken | None:
    # ruamel keeps the empty lines after a scalar as a comment of newlines on it; the mark is where
    # ruamel's scanner stood (the value for a plain scalar, the next line's start for a quoted one).
    line = event.end_mark.line
    count = blanks.pop(line, 0)
    if not count:
        return None
    column = event.start_mark.column
    mark = StreamMark("", 0, line + 1, 0) if event.style else StreamMark("", 0, line, column)
    return CommentToken("\n" * (count + 1), mark, None)


def _document(events: Any, blanks: dict[int, int]) -> Any:
    if not isinstance(next(events), pyyaml.StreamStartEvent):
        raise _Declined
    start = next(events)
    if not isinstance(start, pyyaml.DocumentStartEvent) or start.explicit or start.version or start.tags:
        raise _Declined  # `---`, `%YAML`, `%TAG`, or an empty stream
    root = _node(next(events), events, blanks)
    end = next(events)
    if not isinstance(end, pyyaml.DocumentEndEvent) or end.explicit:
        raise _Declined
    if not isinstance(next(events), pyyaml.StreamEndEvent):
        raise _Declined  # a second document
    return root


def _node(event: Any, events: Any, blanks: dict[int, int]) -> Any:
    if getattr(event, "anchor", None) is not None or isinstance(event, pyyaml.AliasEvent):
        raise _Declined
    if isinstance(event, pyyaml.ScalarEvent):
        return _scalar(event)
    if isinstance(event, pyyaml.MappingStartEvent):
        _check_collection(event)
        return _mapping(event, events, blanks)
    if isinstance(event, pyyaml.SequenceStartEvent):
        _check_collection(event)
        return _sequence(event, events, blanks)
    raise _Declined


def _check_collection(event: Any) -> None:
    if event.flow_style or not event.implicit or event.tag is not None:
        raise _Declined


def _mapping(start: Any, events: Any, blanks: dict[int, int]) -> CommentedMap:
    mapping = CommentedMap()
    mapping._yaml_set_line_col(*_position(start))
    empty_value_of: Any = None
    for event in events:
        if empty_value_of is not None:
            # ruamel places an empty value where the next token starts; libyaml right after the colon.
            mapping.lc.data[empty_value_of][2:] = _position(event)
            empty_value_of = None
        if isinstance(event, pyyaml.MappingEndEvent):
            if not mapping:
                raise _Declined  # ruamel writes `{}` for an empty mapping it read
            return mapping
        if not isinstance(event, pyyaml.ScalarEvent):
            raise _Declined  # a complex key
        key = _node(event, events, blanks)
        if isinstance(key, bool | int) or key is None or key == "<<" or key in mapping:
            raise _Declined  # odd keys, merge keys and duplicates: ruamel decides (or reports)
        value_event = next(events)
        value = _node(value_event, events, blanks)
        mapping[key] = value
        mapping._yaml_set_kv_line_col(key, [*_position(event), *_position(value_event)])
        if value is None:
            empty_value_of = key
        elif isinstance(value_event, pyyaml.ScalarEvent):
            token = _blank_token(value_event, blanks)
            if token is not None:
                mapping.ca.items[key] = [None, None, token, None]
    raise _Declined


def _sequence(start: Any, events: Any, blanks: dict[int, int]) -> CommentedSeq:
    sequence = CommentedSeq()
    sequence._yaml_set_line_col(*_position(start))
    for event in events:
        if isinstance(event, pyyaml.SequenceEndEvent):
            if not sequence:
                raise _Declined
            return sequence
        index = len(sequence)
        sequence._yaml_set_idx_line_col(index, _position(event))
        sequence.append(_node(event, events, blanks))
        if isinstance(event, pyyaml.ScalarEvent):
            token = _blank_token(event, blanks)
            if token is not None:
                sequence.ca.items[index] = [token, None, None, None]
    raise _Declined


@lru_cache(maxsize=65_536)
def _plain_tag(value: str) -> str:
    # Cached: ruamel's resolver is slow per call, and a project repeats the same few words everywhere.
    return str(_RESOLVER.resolve(ScalarNode, value, (True, False)))


def _position(event: Any) -> list[int]:
    # Line and column (0-based) where an event starts, as ruamel records them.
    return [event.start_mark.line, event.start_mark.column]


def _scalar(event: Any) -> Any:
    value: str = event.value
    if event.tag is not None and event.implicit == (False, False):
        raise _Declined  # an explicit tag (`!!str 1`, `!custom x`)
    if event.end_mark.line != event.start_mark.line:
        raise _Declined  # a scalar over several lines: ruamel keeps how it was folded
    if event.style in _QUOTED:
        return _QUOTED[event.style](value)
    if event.style:
        raise _Declined  # block scalars: ruamel keeps their style and chomping
    tag = _plain_tag(value)
    if tag == _STR:
        return PlainScalarString(value) if reads_as_other_in_yaml11(value) else value
    if tag == _INT and _DECIMAL.fullmatch(value):
        return int(value)
    if tag == _BOOL and value in ("true", "false"):
        return value == "true"
    if tag == _NULL and value == "":
        return None
    raise _Declined  # floats, dates, other spellings of numbers, booleans and nulls
