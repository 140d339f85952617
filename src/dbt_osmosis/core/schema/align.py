"""Lay ruamel's rendering of an edited file over the author's text in one linear pass.

A run mostly inserts (columns, data types, descriptions) and sometimes replaces a value it owns (a
placeholder description filled). So ruamel's output is, line for line, the author's file with lines
added, except where ruamel lays out bytes the author wrote differently without changing what they
mean: trailing spaces, lines of only spaces, folded (``>``) text re-flowed. ``overlay`` walks both texts
once, keeps every author line byte for byte, takes ruamel's lines only where they are additions or
deliberate replacements, and answers ``None`` as soon as it is unsure, so that the caller falls back to
its slower three-way merge. Cost: linear in the size of the file.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import yaml as pyyaml

__all__ = ["indented_end", "overlay"]

_FastLoader: Any = getattr(pyyaml, "CSafeLoader", pyyaml.SafeLoader)

# A line that opens a block scalar: `key: >`, `- |-`, `key: >2  # comment`.
_BLOCK_HEADER = re.compile(r"(?::|(?:^|\s)-)\s+([|>][0-9+-]{0,2})\s*(?:#.*)?$")

# A plain key at the start of a (list item's) line, the spaces around its colon, and what follows:
# `name : m`, `description:  Text`, `tests :`. Neither run of spaces is ever part of the data.
_KEY_COLON = re.compile(r"^( *(?:- +)*[^\s#'\"{\[&*!|>%@`-][^:#]*?) *:( +(?=\S)|$)")

# A list item's dash(es) at the start of a line, and the spaces after them.
_DASH = re.compile(r"^( *-(?: +-)*)(?: +|$)")

# A null or a boolean written as a word, alone or before a comment, and how ruamel writes it.
_WORDS = {"null": "", "Null": "", "NULL": "", "~": ""} | {
    word: word.lower() for word in ("true", "True", "TRUE", "false", "False", "FALSE")
}
_WORD = re.compile(r"(null|Null|NULL|~|true|True|TRUE|false|False|FALSE)(?= +#|$)")

_UNREADABLE = object()

# Says whether author line ``index`` holds a ``key: value`` whose value the run changed, and if so the
# text a replacement line starts with (its indentation, dash and key).
Replaced = Callable[[int], str | None]


def overlay(before: list[str], after: list[str], replaced: Replaced) -> tuple[list[str], bool] | None:
    """The author's lines (``before``) with ruamel's additions and deliberate replacements (``after``).

    Returns the merged lines and whether an author line was kept in place of a ruamel line that differs
    from it in more than trailing spaces (then the caller confirms the data once). Returns ``None`` when
    ``after`` is not, as far as one linear pass can prove, ``before`` with lines added and owned values
    replaced; the caller must then take a safer path.
    """
    out: list[str] = []
    approximate = False  # an author line was kept where ruamel's differs (more than trailing spaces)
    shifts = _Shifts()
    i = j = 0
    n, m = len(before), len(after)
    while i < n:
        if j >= m:
            if any(line.strip() for line in before[i:]):
                return None
            out.extend(before[i:])  # ruamel drops blank lines at the end of a file; the author's stay
            break
        old, new = before[i], after[j]
        content: str | None = None
        if (old == new or (content := _content(old)) == _content(new)) and shifts.take(old, new):
            # Trailing spaces, lines of only spaces and spaces around a key's colon are never data
            # outside a block scalar (those are compared as a whole below): the author's bytes stay.
            # So is a block the author indented deeper (or less deep) than ruamel does, as long as
            # it is indented consistently, which the caller's check of the data confirms.
            delta = _indent(old) - _indent(new) if content else 0
            approximate = approximate or (bool(content) and old != new)
            out.append(old)
            i, j = i + 1, j + 1
            if _BLOCK_HEADER.search(old):
                step = _block(before, i, after, j, (_indent_of(old), _indent_of(new), delta), keep_new=False)
                if step is None:
                    return None
                out.extend(step[0])
                i, j = step[1], step[2]
            continue
        end = _wrapped(before, i, new)
        if end is not None and shifts.take(old, new):
            # A value the author wrapped over several lines, which ruamel writes on one: the same
            # data, so the author's lines stay.
            out.extend(before[i:end])
            approximate = True
            i, j = end, j + 1
            continue
        prefix = replaced(i)
        if prefix is not None:
            # ruamel's additions before the replacement, then the replacement, each laid out like the
            # author's lines around it.
            while True:
                if j >= m:
                    return None
                line = shifts.place(after[j])
                if line is None:
                    return None
                out.append(line)
                j += 1
                if line.startswith(prefix):
                    break
            i += 1
            # The old value's continuation lines go with it; the new value's come with it.
            delta = _indent(out[-1]) - _indent(after[j - 1])
            step = _block(
                before, i, after, j, (_indent_of(old), _indent_of(after[j - 1]), delta), keep_new=True
            )
            if step is None:
                return None
            out.extend(step[0])
            i, j = step[1], step[2]
            continue
        # Lines ruamel added before the author's next line, laid out like the author's lines around
        # them. The scan is paid for by the lines it skips, which are consumed, so the pass stays linear.
        if content is None:
            content = _content(old)
        while True:
            k = j
            while k < m and _content(after[k]) != content:
                k += 1
            if k >= m:
                return None
            # Added lines at the depth of line k, after the last added line shallower than it, are
            # its earlier siblings (a column inserted first in a list): they move as the author's
            # line k does, unless the author's own lines already set that depth's move.
            depth = _depth(after[k])
            start = k
            if depth is not None:
                while start > j and ((above := _depth(after[start - 1])) is None or above >= depth):
                    start -= 1
            sibling = None if depth is None else _indent(old) - depth
            for t in range(j, k):
                hint = sibling if t >= start and _depth(after[t]) == depth else None
                line = shifts.place(after[t], hint)
                if line is None:
                    return None
                out.append(line)
            j = k
            if shifts.fits(old, after[k]):
                break
            line = shifts.place(after[k])
            if line is None:
                return None
            out.append(line)
            j += 1
    for new in after[j:]:
        line = shifts.place(new)
        if line is None:
            return None
        out.append(line)
    return out, approximate


class _Shifts:
    """How far the author's indentation differs from ruamel's, at each depth of the current path.

    ruamel indents every nested block by the file's one style; an author may indent one block deeper
    (`config:` with its keys four in, in a two-space file). A line ruamel adds belongs to the deepest
    block at or above its own indentation, and moves by that block's difference.
    """

    def __init__(self) -> None:
        # (ruamel's indentation, author's minus ruamel's, whether an author's line set it)
        self._stack: list[tuple[int, int, bool]] = []

    def _at(self, indent: int) -> tuple[int, int, bool] | None:
        # The entry for the block a line at ``indent`` belongs to (deeper blocks have ended).
        stack = self._stack
        while stack and stack[-1][0] > indent:
            stack.pop()
        return stack[-1] if stack else None

    def take(self, old: str, new: str) -> bool:
        """Note that the author's ``old`` stands for ruamel's ``new``, if ``fits`` says it can."""
        indent = _depth(new)
        if indent is None:
            return True  # blank lines and comments say nothing about the structure
        top = self._at(indent)
        same = old == new
        delta = 0 if same else _indent(old) - indent
        if top is not None and top[0] == indent:
            if top[1] != delta:
                return False
            self._stack[-1] = (indent, delta, True)
        else:
            self._stack.append((indent, delta, True))
        if new[indent] == "-":
            # A list item's keys form a block of their own: `-   name: a` has them two columns
            # further from its dash than ruamel's `- name: a`.
            column = len(new) - len(new.lstrip(" -"))
            moved = 0 if same else len(old) - len(old.lstrip(" -")) - column
            self._stack.append((column, moved, True))
        return True

    def fits(self, old: str, new: str) -> bool:
        """Whether the author's ``old`` can stand for ruamel's ``new`` as far as indentation goes.

        A line at the depth of the one before it moves as that one did; only the first line of a
        deeper block may move by a new difference.
        """
        indent = _depth(new)
        if indent is None:
            return True
        top = self._at(indent)
        return top is None or top[0] < indent or top[1] == _indent(old) - indent

    def place(self, new: str, sibling: int | None = None) -> str | None:
        """The line ruamel added (``new``), moved as its block is (``None``: it cannot move that far).

        ``sibling`` is how far the author's next line at this depth moves, for a block that no
        author's line has set yet.
        """
        indent = _depth(new)
        if indent is None:
            return new
        top = self._at(indent)
        confirmed = False
        if top is not None and top[0] == indent:
            self._stack.pop()  # a sibling: it takes this entry's place
            confirmed = top[2]
            delta = top[1] if confirmed or sibling is None else sibling
        else:
            delta = sibling if sibling is not None else (top[1] if top is not None else 0)
        self._stack.append((indent, delta, confirmed))
        return _shift(new, delta)


def _depth(line: str) -> int | None:
    # A line's indentation, or None for a blank line or a comment (they say nothing about structure).
    text = line.lstrip(" ")
    if not text.strip() or text[0] == "#":
        return None
    return len(line) - len(text)


def _shift(line: str, delta: int) -> str | None:
    # ``line`` indented ``delta`` further (or less far); a line of only spaces stays as it is.
    if delta == 0 or not line.strip():
        return line
    if delta > 0:
        return " " * delta + line
    return line[-delta:] if _indent(line) >= -delta else None


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _content(line: str) -> str:
    # What a line says, whatever its indentation, trailing spaces and spacing around a key's colon.
    return _loose(line).lstrip(" ")


def _loose(line: str) -> str:
    # A line as ruamel would lay it out: no trailing spaces, no space before a key's colon, one after
    # it or after a list dash, and a null or boolean written the way ruamel writes it (ruamel writes
    # `freshness: null` as `freshness:` and `is_raw: True` as `is_raw: true`).
    line = line.rstrip()
    key = _KEY_COLON.match(line)
    if key is not None:
        name = key.group(1).lstrip(" -")  # a plain key starts with neither
        lead = key.group(1)[: len(key.group(1)) - len(name)]
        head = " " * _indent(lead) + "- " * lead.count("-") + name + ":"
    else:
        key = _DASH.match(line)
        if key is None:
            return line
        head = key.group(1)
    value = line[key.end() :]
    word = _WORD.match(value)
    if word is not None:
        comment = value[word.end() :].lstrip(" ")
        value = " ".join(part for part in (_WORDS[word.group(1)], comment) if part)
    elif value[:1] in ("[", "{"):
        value = _flow(value)
    return head + (" " + value if value else "")


def _flow(value: str) -> str:
    # A flow collection without the spaces around its brackets, braces and commas (ruamel writes
    # `['a','b']` as `['a', 'b']`); quoted text is copied as it is.
    out: list[str] = []
    quote = ""
    k = 0
    while k < len(value):
        ch = value[k]
        if quote:
            out.append(ch)
            if ch == "\\" and quote == '"' and k + 1 < len(value):
                out.append(value[k + 1])
                k += 1
            elif ch == quote:
                quote = ""
        elif ch in "'\"":
            quote = ch
            out.append(ch)
        elif ch == " " and (
            (out and out[-1] in "[]{},") or value[k + 1 : k + 2] in ("", " ", ",", "[", "]", "{", "}")
        ):
            pass  # a space next to punctuation (or one of several) is layout, not data
        elif ch == "#" and value[k - 1 : k] == " ":
            out.append(" " + value[k:])  # a comment: ruamel keeps its text
            break
        else:
            out.append(ch)
        k += 1
    return "".join(out)


def _wrapped(before: list[str], i: int, new: str) -> int | None:
    """Where the scalar the author wrapped from line ``i`` on ends, if ruamel's ``new`` is that key and value.

    ``None`` when line ``i`` holds no value continued on deeper lines, or ``new`` says something else.
    """
    old = before[i]
    if i + 1 >= len(before) or not before[i + 1].strip() or _BLOCK_HEADER.search(old):
        return None
    key = _KEY_COLON.match(old.rstrip())
    if key is None or key.end() == len(old.rstrip()):
        return None  # not a key, or one whose value is the nested block below it
    column = _indent_of(old)
    end = indented_end(before, i + 1, column)  # a value's continuation: a few lines at most
    if end == i + 1:
        return None
    text = "\n".join([old[column:], *(line[column:] for line in before[i + 1 : end])])
    try:
        wrapped = pyyaml.load(text, Loader=_FastLoader)
        written = pyyaml.load(new[_indent_of(new) :], Loader=_FastLoader)
    except pyyaml.YAMLError:
        return None
    return end if isinstance(wrapped, dict) and wrapped == written else None


def _indent_of(line: str) -> int:
    # The column of the key itself: `  - description: >` has its key at column 4.
    return len(line) - len(line.lstrip(" -"))


def indented_end(lines: list[str], start: int, indent: int) -> int:
    """Where the lines from ``start`` indented deeper than ``indent`` end (trailing blank lines excluded).

    A block scalar's body, or the lines a wrapped value continues on.
    """
    end = last = start
    while end < len(lines):
        line = lines[end]
        if line.strip():
            if len(line) - len(line.lstrip(" ")) <= indent:
                break
            last = end + 1
        end += 1
    return last


def _block(
    before: list[str], i: int, after: list[str], j: int, indents: tuple[int, int, int], *, keep_new: bool
) -> tuple[list[str], int, int] | None:
    """Match a block scalar's body: the author's bytes when it means the same, else ruamel's lines.

    ``indents`` holds the header key's column in the author's text and in ruamel's, and how far the
    author's lines sit from ruamel's there (ruamel's body lines move by as much).
    """
    old_indent, new_indent, delta = indents
    i_end, j_end = indented_end(before, i, old_indent), indented_end(after, j, new_indent)
    old = before[i:i_end]
    new: list[str] = []
    for line in after[j:j_end]:
        moved = _shift(line, delta)
        if moved is None:
            return None
        new.append(moved)
    if keep_new:
        return new, i_end, j_end
    if old == new:
        return old, i_end, j_end
    header = before[i - 1]
    indicator = _BLOCK_HEADER.search(header)
    if indicator is None or any(ch in indicator.group(1) for ch in "+0123456789"):
        return None  # kept trailing lines or an explicit indent: only identical bytes are provably safe
    old_value, new_value = _block_value(indicator.group(1), old), _block_value(indicator.group(1), new)
    if old_value is _UNREADABLE or new_value is _UNREADABLE:
        return None
    if old_value == new_value:
        return old, i_end, j_end  # ruamel re-flowed text it did not change: the author's bytes stay
    # ruamel never changes a value by itself: the run did (an inherited description with -F, say).
    return new, i_end, j_end


def _block_value(indicator: str, body: list[str]) -> object:
    text = "k: " + indicator + "\n" + "".join(line + "\n" for line in body)
    try:
        loaded = pyyaml.load(text, Loader=_FastLoader)
    except pyyaml.YAMLError:
        return _UNREADABLE
    return loaded.get("k") if isinstance(loaded, dict) else _UNREADABLE
