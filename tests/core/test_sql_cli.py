"""`sql run` and `sql compile` (1.x commands): a SQL string through dbt, the result printed."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from click.testing import Result

from dbt_osmosis import api
from dbt_osmosis.cli import sql_command
from tests.support.cli import run_command


def sql(project: Path, command: str, *args: str) -> Result:
    return run_command(project, "sql", command, *args)


def test_sql_compile_resolves_refs_and_prints_plain_sql(chain: Path) -> None:
    result = sql(chain, "compile", "select first_name from {{ ref('customers') }} -- {{ 1 + 1 }}")
    assert result.exit_code == 0, result.output
    assert result.output.strip() == 'select first_name from "warehouse"."main"."customers" -- 2'


def test_sql_run_prints_the_rows_as_a_table_up_to_the_limit(chain: Path) -> None:
    query = "select customer_id, first_name, null as nothing from {{ ref('customers') }} order by customer_id"
    result = sql(chain, "run", query, "--limit", "1", "--target", "dev", "--profile", "test_project")
    assert result.exit_code == 0, result.output
    header = next(line for line in result.output.splitlines() if "customer_id" in line)
    assert "first_name" in header and "nothing" in header
    assert "Ada" in result.output and "NULL" in result.output
    assert "Grace" not in result.output  # the second row is past the limit
    assert "1 row(s) (the first 1" in result.output
    everything = sql(chain, "run", query, "--limit", "-1")
    assert everything.exit_code == 0, everything.output
    assert "Ada" in everything.output and "Grace" in everything.output
    assert "2 row(s)\n" in everything.output


def test_sql_that_fails_is_one_line_and_exit_2(chain: Path) -> None:
    result = sql(chain, "run", "select * from no_such_table")
    assert result.exit_code == 2
    assert "dbt could not run the SQL" in result.output
    assert "no_such_table" in result.output
    assert "Traceback" not in result.output


# --- dbt's own reason, one line, exit 2 ---------------------------------------------------------------


def test_sql_compile_of_a_missing_ref_says_dbts_reason_in_one_line(chain: Path) -> None:
    result = sql(chain, "compile", "select * from {{ ref('nope') }}")
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("error: dbt could not compile the SQL:")
    assert "'nope' which was not found" in lines[0]
    assert "Error parsing inline query" not in lines[0]
    assert "sql_operation" not in lines[0]  # dbt's internal name for the inline query is not shown


def test_sql_compile_of_broken_jinja_names_the_line(chain: Path) -> None:
    result = sql(chain, "compile", "select {{ nope( }}")
    assert result.exit_code == 2, result.output
    [line] = result.stderr.strip().splitlines()
    assert "unexpected '}', expected ')'" in line
    assert "select {{ nope( }}" in line


def test_sql_run_of_a_missing_ref_says_dbts_reason_and_exits_2(chain: Path) -> None:
    result = sql(chain, "run", "select * from {{ ref('nope') }}")
    assert result.exit_code == 2, result.output
    [line] = result.stderr.strip().splitlines()
    assert "'nope' which was not found" in line


# --- secrets of the environment never shown -------------------------------------------------------------

KEY = "sk-proj-abcdefghijklmnopqrstuvwx12345"


def test_sql_run_error_line_does_not_print_an_api_key(chain: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    # Unquoted, the key becomes SQL the warehouse cannot read, and its error quotes the line.
    result = sql(chain, "run", "select {{ env_var('OPENAI_API_KEY') }} as k")
    assert result.exit_code == 2, result.output
    assert KEY not in result.output
    assert "abcdefghijkl" not in result.output
    [line] = result.stderr.strip().splitlines()
    assert line.startswith("error: dbt could not run the SQL:") and "***" in line


def test_sql_run_rows_and_compiled_sql_do_not_show_secret_values(
    chain: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    monkeypatch.setenv("WAREHOUSE_PASSWORD", "hunter2!")
    query = (
        "select '{{ env_var('OPENAI_API_KEY') }}' as k, 'Bearer {{ env_var('OPENAI_API_KEY') }}' as header,"
        " '{{ env_var('WAREHOUSE_PASSWORD') }}' as pw"
    )
    for output in ("table", "csv", "json"):
        result = sql(chain, "run", query, "--output", output)
        assert result.exit_code == 0, result.output
        assert KEY not in result.output and "hunter2!" not in result.output
        assert "***" in result.output and "Bearer ***" in result.output
    compiled = sql(chain, "compile", query)
    assert compiled.exit_code == 0, compiled.output
    assert KEY not in compiled.output and "hunter2!" not in compiled.output
    assert "'Bearer ***' as header" in compiled.output
    # Nor in a file: dbt's copy of the compiled query under target/compiled is removed.
    holding = [path for path in chain.rglob("*") if path.is_file() and KEY.encode() in path.read_bytes()]
    assert holding == []


def test_sql_commands_leave_the_projects_dbt_artifacts_alone(chain: Path) -> None:
    run_results = chain / "target" / "run_results.json"
    run_results.parent.mkdir(exist_ok=True)
    before = b'{"results": "of the last dbt run"}'
    run_results.write_bytes(before)
    assert sql(chain, "compile", "select 1 as x").exit_code == 0
    assert sql(chain, "run", "select 1 as x").exit_code == 0
    assert run_results.read_bytes() == before  # the last `dbt run`'s results, not an inline query's


def test_sql_run_shows_key_shaped_data_that_is_not_a_secret_of_this_machine(chain: Path) -> None:
    # md5 surrogate keys look like tokens; they are the user's data, not a credential to hide.
    result = sql(chain, "run", "select md5('a') as surrogate_key", "--output", "csv")
    assert result.exit_code == 0, result.output
    assert "0cc175b9c0f1b6a831c399e269772661" in result.stdout


# --- output that fits -----------------------------------------------------------------------------------


def test_sql_run_piped_prints_the_table_at_full_width(chain: Path) -> None:
    long_text = "word " * 60  # 300 characters: far past the 80 columns rich assumes without a terminal
    result = sql(chain, "run", f"select 1 as id, '{long_text.strip()}' as notes, 'end' as last_column")
    assert result.exit_code == 0, result.output
    row = next(line for line in result.stdout.splitlines() if "word word" in line)
    assert long_text.strip() in row  # the cell is on one line, not wrapped
    assert "last_column" in result.stdout and "end" in row


def test_sql_run_output_csv_parses_with_header_and_empty_nulls(chain: Path) -> None:
    query = "select customer_id, first_name, null as nothing from {{ ref('customers') }} order by customer_id"
    result = sql(chain, "run", query, "--output", "csv", "--limit", "-1")
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(io.StringIO(result.stdout)))
    assert rows == [["customer_id", "first_name", "nothing"], ["1", "Ada", ""], ["2", "Grace", ""]]
    assert result.stderr == ""


def test_sql_run_output_jsonl_is_one_object_per_row_with_numbers_as_numbers(chain: Path) -> None:
    query = (
        "select customer_id, first_name, 1.5 as ratio, null as nothing from {{ ref('customers') }} order by 1"
    )
    result = sql(chain, "run", query, "--output", "jsonl", "--limit", "1")
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert rows == [{"customer_id": 1, "first_name": "Ada", "ratio": 1.5, "nothing": None}]
    # The second row was left out by --limit, said on stderr so that stdout stays data.
    assert "Wrote the first 1 row(s); the query has more" in result.stderr


def test_sql_run_output_json_is_one_array_of_objects(chain: Path) -> None:
    query = "select customer_id, first_name from {{ ref('customers') }} order by 1"
    result = sql(chain, "run", query, "--output", "json", "--limit", "-1")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == [
        {"customer_id": 1, "first_name": "Ada"},
        {"customer_id": 2, "first_name": "Grace"},
    ]
    # No rows: still one JSON document.
    empty = sql(chain, "run", f"{query} limit 0", "--output", "json")
    assert empty.exit_code == 0, empty.output
    assert json.loads(empty.stdout) == []
    # Many rows, streamed: one array all the same.
    many = sql(chain, "run", "select range as n from range(2500)", "--output", "json", "--limit", "-1")
    assert [row["n"] for row in json.loads(many.stdout)] == list(range(2500))


def test_sql_run_output_csv_streams_every_row_with_limit_minus_one(chain: Path) -> None:
    result = sql(chain, "run", "select range as n from range(25000)", "--output", "csv", "--limit", "-1")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "n" and len(lines) == 25001 and lines[-1] == "24999"


def test_sql_run_table_is_capped_with_a_message_naming_the_streaming_outputs(
    chain: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sql_command, "TABLE_ROW_CAP", 5)
    result = sql(chain, "run", "select range as n from range(20) order by n", "--limit", "-1")
    assert result.exit_code == 0, result.output
    assert "│ 4 │" in result.stdout and "│ 5 │" not in result.stdout
    assert "Showing the first 5 rows; the query has more" in result.stdout
    assert "--output csv or --output json" in result.stdout


def test_sql_run_at_exactly_the_limit_does_not_claim_more_rows(chain: Path) -> None:
    # A trailing ";" used to end up before dbt's "limit" clause: a syntax error.
    result = sql(chain, "run", "select range as n from range(3);", "--limit", "3")
    assert result.exit_code == 0, result.output
    assert result.stdout.rstrip().endswith("3 row(s)")


def test_api_sql_run_streams_rows_and_says_when_more_were_left_out(chain: Path) -> None:
    where = api.ProjectLocation(project_dir=chain, profiles_dir=chain)
    with api.sql_run("select range as n from range(1000000)", where, limit=3) as stream:
        assert stream.columns == ("n",)
        assert [row[0] for row in stream] == [0, 1, 2]
        assert stream.more and stream.count == 3
    assert api.sql_compile("select {{ 40 + 2 }}", where).strip() == "select 42"


def _strict_json(text: str) -> object:
    # Python's json accepts NaN and Infinity; JSON parsers elsewhere (jq, JavaScript) refuse them.
    def refuse(constant: str) -> object:
        raise ValueError(f"not JSON: {constant}")

    return json.loads(text, parse_constant=refuse)


def test_sql_run_json_and_jsonl_write_nan_and_infinity_as_strings_a_json_parser_accepts(chain: Path) -> None:
    query = (
        "select 'nan'::double as nan, 'inf'::double as i, '-inf'::double as minus, 1.5::double as ok, "
        "['nan'::double, 2.0] as list"
    )
    expected = {"nan": "NaN", "i": "Infinity", "minus": "-Infinity", "ok": 1.5, "list": ["NaN", 2.0]}
    array = sql(chain, "run", query, "--output", "json")
    assert array.exit_code == 0, array.output
    assert _strict_json(array.stdout) == [expected]
    lines = sql(chain, "run", query, "--output", "jsonl")
    assert [_strict_json(line) for line in lines.stdout.splitlines()] == [expected]


@pytest.mark.parametrize("query", ["", "   ", "/* nothing here */", ";"])
def test_sql_run_of_no_sql_says_so_and_exits_2(chain: Path, query: str) -> None:
    result = sql(chain, "run", query)
    assert result.exit_code == 2, result.output
    assert "No SQL given" in result.stderr and "limit" not in result.stderr, result.stderr


def test_sql_run_refuses_more_than_one_statement_instead_of_showing_only_the_last(chain: Path) -> None:
    result = sql(chain, "run", "select 1 as x; select 2 as y")
    assert result.exit_code == 2, result.output
    assert "holds 2 statements" in result.stderr and "'select 1 as x'" in result.stderr
    assert result.stdout == ""
    # A ";" inside a string literal or a comment, or after the only statement, is not a second one.
    one = sql(chain, "run", "select 'a;b' as x; -- done; really", "--output", "jsonl")
    assert one.exit_code == 0, one.output
    assert json.loads(one.stdout) == {"x": "a;b"}
