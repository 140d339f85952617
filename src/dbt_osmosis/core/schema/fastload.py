"""Round-trip data for a plain schema file, built from libyaml's parser instead of ruamel's.

Editing a file needs ruamel's round-trip types (``CommentedMap`` with the line of every key, quoted
strings that stay quoted), and ruamel's pure-Python parser is most of what an edit of a small file
costs. Most schema files hold nothing that only ruamel's parser keeps: no comments, no blank lines,
no anchors, tags, flow collections or block scalars. For those, this module builds the very data
ruamel would from libyaml's event stream (about thirty times faster), and answers ``None`` for
anything else, so the caller reads the file with ruamel. Tests compare both readings (values, types,
key lines and the rendered text) on every fixture and real-project file and on generated files.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

import yaml as pyyaml
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.nodes import ScalarNode
from ruamel.yaml.resolver import VersionedResolver
from ruamel.yaml.scalarstring import DoubleQuotedScalarString, PlainScalarString, SingleQuotedScalarString

from dbt_osmosis.core.schema.quoting import reads_as_other_in_yaml11

__all__ = ["load_plain"]

_CParser: Any = getattr(pyyaml, "CSafeLoader", None)
_RESOLVER = VersionedResolver()  # ruamel's YAML 1.2 resolution, which decides what a plain scalar is
_STR = "tag:yaml.org,2002:str"
_INT = "tag:yaml.org,2002:int"
_BOOL = "tag:yaml.org,2002:bool"
_NULL = "tag:yaml.org,2002:null"
_DECIMAL = re.compile(r"[1-9][0-9]*")  # ruamel keeps `0` and `007` as ScalarInt, with their width
# Text ruamel keeps outside the data (comments, blank lines) or reads differently from libyaml (tabs,
# a byte-order mark, non-breaking and Unicode line breaks): such a file is read by ruamel.
_NOT_PLAIN = re.compile("#|\t|\r|\ufeff|\x85|\u2028|\u2029|\n[ ]*\n|^[ ]*\n")
_QUOTED = {"'": SingleQuotedScalarString, '"': DoubleQuotedScalarString}


class _Declined(Exception):
    """The file holds something only ruamel's parser reads into round-trip data faithfully."""


def load_plain(text: str) -> CommentedMap | None:
    """The data ruamel's round-trip loader gives for ``text`` (LF line ends), or ``None`` when unsure."""
    if _CParser is None or _NOT_PLAIN.search(text) or not text.strip():
        return None
    try:
        events = pyyaml.parse(text, Loader=_CParser)
        root = _document(iter(events))
    except (_Declined, pyyaml.YAMLError):
        return None
    return root if isinstance(root, CommentedMap) else None


def _document(events: Any) -> Any:
    if not isinstance(next(events), pyyaml.StreamStartEvent):
        raise _Declined
    start = next(events)
    if not isinstance(start, pyyaml.DocumentStartEvent) or start.explicit or start.version or start.tags:
        raise _Declined  # `---`, `%YAML`, `%TAG`, or an empty stream
    root = _node(next(events), events)
    end = next(events)
    if not isinstance(end, pyyaml.DocumentEndEvent) or end.explicit:
        raise _Declined
    if not isinstance(next(events), pyyaml.StreamEndEvent):
        raise _Declined  # a second document
    return root


def _node(event: Any, events: Any) -> Any:
    if getattr(event, "anchor", None) is not None or isinstance(event, pyyaml.AliasEvent):
        raise _Declined
    if isinstance(event, pyyaml.ScalarEvent):
        return _scalar(event)
    if isinstance(event, pyyaml.MappingStartEvent):
        _check_collection(event)
        return _mapping(event, events)
    if isinstance(event, pyyaml.SequenceStartEvent):
        _check_collection(event)
        return _sequence(event, events)
    raise _Declined


def _check_collection(event: Any) -> None:
    if event.flow_style or not event.implicit or event.tag is not None:
        raise _Declined


def _mapping(start: Any, events: Any) -> CommentedMap:
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
        key = _node(event, events)
        if isinstance(key, bool | int) or key is None or key == "<<" or key in mapping:
            raise _Declined  # odd keys, merge keys and duplicates: ruamel decides (or reports)
        value_event = next(events)
        value = _node(value_event, events)
        mapping[key] = value
        mapping._yaml_set_kv_line_col(key, [*_position(event), *_position(value_event)])
        if value is None:
            empty_value_of = key
    raise _Declined


def _sequence(start: Any, events: Any) -> CommentedSeq:
    sequence = CommentedSeq()
    sequence._yaml_set_line_col(*_position(start))
    for event in events:
        if isinstance(event, pyyaml.SequenceEndEvent):
            if not sequence:
                raise _Declined
            return sequence
        sequence._yaml_set_idx_line_col(len(sequence), _position(event))
        sequence.append(_node(event, events))
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
