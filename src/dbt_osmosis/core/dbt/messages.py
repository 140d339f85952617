"""dbt's error messages as one clean line for our own error output.

dbt formats an error for its log: a heading (``Compilation Error in model orders (models/orders.sql)``)
on the first line, the message indented below it, lists as ``- item`` lines, and sometimes terminal
colour codes. Printed after ``error:`` that becomes several ragged lines with escape codes in a CI log;
this module folds it into ``heading: message`` on one line and keeps every word.
"""

from __future__ import annotations

import re

__all__ = ["one_line"]

_ANSI = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]")
_HEADING = re.compile(r"^[A-Z][A-Za-z]*( [A-Z][A-Za-z]*)* (Error|Warning)( in .+)?$")
_LINE_NUMBER = re.compile(r"^line \d+$")


def one_line(error: object) -> str:
    """``error`` (an exception or a message) as a single line without colour codes."""
    text = _ANSI.sub("", str(error))
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if not lines:
        return ""
    heading = ""
    if len(lines) > 1 and _HEADING.match(lines[0]):
        heading, lines = lines[0], lines[1:]
    parts: list[str] = []
    items: list[str] = []
    index = 0
    while index < len(lines):
        line = lines[index]
        if line.startswith("- "):
            items.append(line[2:].strip())
        else:
            if items:
                parts.append(", ".join(items))
                items = []
            if _LINE_NUMBER.match(line) and index + 1 < len(lines):
                # dbt shows "line 52" and then the offending source line; keep them together.
                parts.append(f"({line}: {lines[index + 1]})")
                index += 1
            else:
                parts.append(line)
        index += 1
    if items:
        parts.append(", ".join(items))
    message = " ".join(" ".join(parts).split())
    if heading:
        return f"{heading}: {message}" if message else heading
    return message
