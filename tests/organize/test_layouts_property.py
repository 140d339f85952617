"""Property: whatever layout dbt accepts, organize changes nothing dbt reads and loses no comment line.

Generated schema files for two models ``a`` and ``b`` (template ``"_{model}.yml"``): a ``version:``
line or none, first or last; header and section comments; block scalars of every chomping at the ends
of entries and of the file; a commented-out column inside an entry; a final newline or none.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.support.cli import run_command
from tests.support.organize_checks import comment_lines, dbt_view, lost_comments
from tests.support.projects import write_project

MODELS = {"models/a.sql": "select 1 as id\n", "models/b.sql": "select 1 as id\n"}

DESCRIPTIONS = st.sampled_from(
    [
        "    description: Plain {name}.\n",
        "    description: >\n      Folded {name},\n      on two lines.\n",
        "    description: |\n      Literal {name}.\n      # a line of text\n",
        "    description: |-\n      Stripped {name}.\n",
        "    description: >+\n      Kept {name}.\n\n",
        "    description: '{name} quoted'\n",
    ]
)


@st.composite
def layouts(draw: st.DrawFn) -> str:
    """One schema file holding the entries of ``a`` and ``b``, in a layout dbt accepts."""
    order = draw(st.permutations(["a", "b"]))
    version = draw(st.sampled_from(["first", "last", "none"]))
    text = draw(st.sampled_from(["", "# Owned by the data team.\n", "# Header\n\n"]))
    if version == "first":
        text += "version: 2\n\n"
    text += "models:\n"
    for name in order:
        if draw(st.booleans()):
            text += f"\n  ## Section for {name}\n\n"
        text += f"  - name: {name}\n" + draw(DESCRIPTIONS).format(name=name)
        if draw(st.booleans()):
            text += (
                "    columns:\n      - name: id\n        data_tests: [not_null]\n      # - name: legacy_col\n"
            )
    if draw(st.booleans()):
        text += "  # - name: c\n"
    if version == "last":
        text += "version: 2\n"
    if draw(st.booleans()):
        text = text.rstrip("\n")  # no final newline (a kept block then ends where dbt strips)
    return text


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(schema=layouts())
def test_organize_keeps_what_dbt_reads_and_every_comment(schema: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = write_project(Path(folder) / "project", MODELS, osmosis_template="_{model}.yml")
        (root / "models/schema.yml").write_text(schema)
        view, comments = dbt_view(root), comment_lines(root)
        result = run_command(root, "yaml", "organize", "--disable-introspection")
        assert result.exit_code in (0, 3), result.output
        assert dbt_view(root) == view, result.output
        assert not lost_comments(comments, comment_lines(root))
