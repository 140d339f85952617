"""One line for a person about a YAML file a parser refused: the file, where, what, and the fix.

Shared by everything that reads YAML a user wrote (schema files, `yaml organize`, the prompt file of
the LLM layer), so every such error reads the same way.
"""

from __future__ import annotations

import re

__all__ = ["yaml_error_message"]

_DUPLICATE_KEY = re.compile(r'found duplicate key "(?P<key>.*?)" with value')


def yaml_error_message(
    display_path: str, state: str, exc: Exception, text: str | None = None, *, read_by_dbt: bool = True
) -> str:
    """One line for a person about a YAML file a parser refused: the file, where, what, and the fix.

    ``state`` says what that means for the run ("does not parse", "cannot be edited safely"). The line
    and column come from the parser's mark (PyYAML's and ruamel's errors both carry one); the parser's
    own text is reduced to its problem, without the "<unicode string>" positions and the advice on
    turning the duplicate-key check off. ``text`` (what was parsed) lets the fix name a tab that
    libyaml's message does not show. ``read_by_dbt``: the file is one dbt reads too (a schema file),
    so the fix can say what dbt makes of a duplicate key.
    """
    problem = str(getattr(exc, "problem", None) or getattr(exc, "context", None) or "")
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    if not problem or mark is None:
        return f"{display_path} {state}: {' '.join(str(exc).split())}. Fix the YAML and run again."
    where = f"line {mark.line + 1}, column {mark.column + 1}"
    duplicate = _DUPLICATE_KEY.search(problem)
    if duplicate is not None:
        # The first occurrence is not in the error; the mapping that holds both is.
        context = getattr(exc, "context_mark", None)
        holder = f" (in the mapping that starts at line {context.line + 1})" if context is not None else ""
        consequence = "dbt keeps only the last value; delete" if read_by_dbt else "Delete"
        return (
            f"{display_path} {state} at {where}: duplicate key `{duplicate['key']}`{holder}. "
            f"{consequence} the key you do not mean and run again."
        )
    fix = "Fix the YAML there and run again."
    if "'\\t'" in problem or _char_at(text, mark.line, mark.column) == "\t":
        fix = "YAML does not allow a tab there: replace it with spaces and run again."
    return f"{display_path} {state} at {where}: {' '.join(problem.split())}. {fix}"


def _char_at(text: str | None, line: int, column: int) -> str:
    lines = text.split("\n") if text is not None else []
    return lines[line][column : column + 1] if 0 <= line < len(lines) else ""
