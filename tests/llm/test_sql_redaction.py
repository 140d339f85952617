"""OSMOSIS_LLM_REDACT_LITERALS: no string literal leaves the machine, whatever the dialect's quoting."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dbt_osmosis.core.llm.prompts import prepare_sql
from dbt_osmosis.core.llm.sql_redaction import redact_string_literals


def redact(sql: str, adapter: str | None) -> str:
    return redact_string_literals(sql, adapter)


# -- the bug: a literal that ends in a backslash -------------------------------------------------------


@pytest.mark.parametrize("adapter", ["duckdb", "postgres", None])
def test_a_literal_ending_in_a_backslash_does_not_expose_what_follows(adapter: str | None) -> None:
    sql = "select 'C:\\temp\\' as path, 'hunter2' as password, 'sk-live-42' as key from t"
    out = redact(sql, adapter)
    assert "hunter2" not in out and "sk-live-42" not in out


def test_duckdb_reads_the_backslash_literally_and_keeps_the_rest_of_the_query() -> None:
    sql = "select 'C:\\temp\\' as path, 'hunter2' as password from t"
    assert redact(sql, "duckdb") == "select '***' as path, '***' as password from t"


# -- DuckDB --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sql", "expected"),
    [
        ("select 'O''Brien' as n", "select '***' as n"),
        ("select E'it\\'s secret' as n", "select '***' as n"),
        ("select e'a''b\\\\' as n, 'x' as m", "select '***' as n, '***' as m"),
        ("select $$it's secret$$ as n", "select '***' as n"),
        ("select $tag$a $$ b ' c$tag$ as n", "select '***' as n"),
        ("select $1, a$b$ as n, 'x' as m", "select $1, a$b$ as n, '***' as m"),
        ("select \"it's\" as n, 'x'", "select \"it's\" as n, '***'"),
        ('select "a""b\'" as n, \'x\'', 'select "a""b\'" as n, \'***\''),
        ("select /* a /* don't */ it's */ 'x' as n", "select /* a /* don't */ it's */ '***' as n"),
        ("select 'a' -- don't\n, 'b'", "select '***' -- don't\n, '***'"),
        ("select X'ab' as n", "select X'***' as n"),
        ("select somee'x' as n", "select somee'***' as n"),
    ],
)
def test_duckdb_quoting(sql: str, expected: str) -> None:
    assert redact(sql, "duckdb") == expected


# -- Postgres ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sql", "expected"),
    [
        ("select 'O''Brien' as n", "select '***' as n"),
        ("select E'it\\'s' as n, 'x' as m", "select '***' as n, '***' as m"),
        ("select $body$ it's $$ $body$ as n", "select '***' as n"),
        ("select U&'d\\0061t' as n", "select U&'***' as n"),
        ("select B'1010', N'x' as n", "select B'***', N'***' as n"),
        ("select /* /* nested */ don't */ 'x'", "select /* /* nested */ don't */ '***'"),
        ('select "it\'s" from t', 'select "it\'s" from t'),
        ("select $1 from t where a = 'x'", "select $1 from t where a = '***'"),
    ],
)
def test_postgres_quoting(sql: str, expected: str) -> None:
    assert redact(sql, "postgres") == expected


def test_postgres_with_standard_conforming_strings_off_is_covered_too() -> None:
    # Older servers (or standard_conforming_strings=off) read \' as an escaped quote: the literal is
    # "it's secret". Both readings are applied, so neither half is sent.
    out = redact("select 'it\\'s secret' as n from t", "postgres")
    assert "secret" not in out


# -- Snowflake -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sql", "expected"),
    [
        ("select 'it\\'s secret' as n", "select '***' as n"),
        ("select 'O''Brien', 'C:\\\\temp\\\\' as n", "select '***', '***' as n"),
        ("select $$it's 'secret'$$ as n", "select '***' as n"),
        ("select a$$b, 'x' as n", "select a$$b, '***' as n"),
        ("select 1 // don't\n, 'x'", "select 1 // don't\n, '***'"),
        ("select 1 /* /* */ 'x' */", "select 1 /* /* */ '***' */"),
        ('select "it\'s", "a\\" as n, \'x\'', 'select "it\'s", "a\\" as n, \'***\''),
    ],
)
def test_snowflake_quoting(sql: str, expected: str) -> None:
    assert redact(sql, "snowflake") == expected


# -- BigQuery ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sql", "expected"),
    [
        ('select "it\'s secret" as n', "select '***' as n"),
        ("select 'it\\'s', \"a\\\"b\" as n", "select '***', '***' as n"),
        ("select '''it's\n'two' lines''' as n", "select '***' as n"),
        ('select """say "hi" to \'x\'""" as n', "select '***' as n"),
        ("select r'f\\(a,(.*)\\'s' as n, 'x'", "select r'***' as n, '***'"),
        ("select R\"\\d+\" as n, b'x', rb'y', BR'''z'''", "select R'***' as n, b'***', rb'***', BR'***'"),
        ("select 1 # don't\n, 'x'", "select 1 # don't\n, '***'"),
        ("select `my-project.it's`.t, 'x'", "select `my-project.it's`.t, '***'"),
        ("select `a\\`b`, 'x'", "select `a\\`b`, '***'"),
        ("select '' as e, 'x'", "select '***' as e, '***'"),
    ],
)
def test_bigquery_quoting(sql: str, expected: str) -> None:
    assert redact(sql, "bigquery") == expected


# -- Jinja ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("adapter", ["duckdb", "postgres", "snowflake", "bigquery", None])
def test_jinja_string_literals_are_redacted_but_relation_names_are_kept(adapter: str | None) -> None:
    sql = (
        "{% set password = 'hunter2' %}\n"
        "select * from {{ ref('orders') }} join {{ source('crm', 'people') }} using (id)\n"
        "where token = {{ var('api_token', \"tok-secret\") }} and x = {{ \"}}\" ~ 'esc\\'aped' }}\n"
        "-- {{ var('in_a_comment', 'comment-secret') }}\n"
    )
    out = redact(sql, adapter)
    for secret in ("hunter2", "tok-secret", "api_token", "aped", "comment-secret"):
        assert secret not in out
    assert "{{ ref('orders') }}" in out
    assert "{{ source('crm', 'people') }}" in out


@pytest.mark.parametrize("adapter", ["duckdb", "snowflake", "bigquery"])
def test_a_jinja_block_inside_a_literal_is_part_of_the_literal(adapter: str) -> None:
    # dbt renders the block first, so its quote does not end the SQL literal around it.
    sql = "select '{{ \"it's\" }} secret' as n, 1 as m"
    assert redact(sql, adapter) == "select '***' as n, 1 as m"


@pytest.mark.parametrize("adapter", ["duckdb", "postgres", "snowflake", "bigquery", None])
def test_unterminated_constructs_are_redacted_to_the_end(adapter: str | None) -> None:
    assert redact("select 'abc, secret", adapter) == "select '***'"
    assert "secret" not in redact("select {{ broken( 'x' }} 'C:\\' , secret", adapter)
    assert "secret" not in redact("select {# never closed 'x' secret", adapter)


def test_unknown_adapters_hide_what_any_dialect_would_read_as_a_literal() -> None:
    sql = "select \"secret-1\" as a, 'it\\'s secret-2' as b # don't\n, $$secret-3$$"
    out = redact(sql, "some-new-warehouse")
    for secret in ("secret-1", "secret-2", "secret-3"):
        assert secret not in out


def test_prepare_sql_redacts_by_the_adapters_rules_before_truncating() -> None:
    sql = "select 'C:\\temp\\' as p, 'hunter2' as pw, 1 as n"
    out = prepare_sql(sql, max_chars=10_000, redact_literals=True, adapter_type="duckdb")
    assert out == "select '***' as p, '***' as pw, 1 as n"


# -- property: generated secrets, quoted by each dialect's rules, never appear -------------------------

# Secrets are made of Greek capitals (which nothing else in the generated SQL uses) mixed with every
# character that matters to a quoting rule; any Greek capital in the output is a leak.
_MARK = "ΑΒΓΔΕΖΗΘΙΚΛΜΝΞΟΠΡΣΤΥΦΧΨΩ"
_TRICKY = "'\"\\$`#/-*{}%\n; "
secrets = st.text(alphabet=st.sampled_from(list(_MARK + _TRICKY)), min_size=1, max_size=24).map(
    lambda text: "Σ" + text
)


def _quote_standard(secret: str) -> str:
    return "'" + secret.replace("'", "''") + "'"


def _quote_e(secret: str) -> str:
    return "E'" + secret.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _quote_dollar(secret: str) -> str:
    tag = "$q$" if "$q" not in secret and not secret.endswith("$") else "$zz$"
    return tag + secret.replace(tag, "") + tag


def _quote_snowflake(secret: str) -> str:
    return "'" + secret.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _quote_snowflake_doubled(secret: str) -> str:
    return "'" + secret.replace("\\", "\\\\").replace("'", "''") + "'"


def _quote_snowflake_dollar(secret: str) -> str:
    return "$$" + secret.replace("$", "") + "$$"


def _quote_bigquery(secret: str) -> str:
    body = secret.replace("\\", "\\\\").replace("\n", "\\n")
    return '"' + body.replace('"', '\\"') + '"'


def _quote_bigquery_triple(secret: str) -> str:
    return "'''" + secret.replace("\\", "\\\\").replace("'", "\\'") + "'''"


def _quote_bigquery_raw(secret: str) -> str:
    # A raw string keeps backslashes; it may not contain its quote unescaped or end in a backslash.
    return "r'" + secret.replace("'", "").replace("\n", "").rstrip("\\") + "'"


def _quote_jinja(secret: str) -> str:
    # Jinja renders it into a SQL literal; the Jinja string itself uses Python-style escapes.
    return '\'{{ var("x", "' + secret.replace("\\", "\\\\").replace('"', '\\"') + "\") }}'"


QUOTERS = {
    "duckdb": [_quote_standard, _quote_e, _quote_dollar, _quote_jinja],
    "postgres": [_quote_standard, _quote_e, _quote_dollar, _quote_jinja],
    "snowflake": [_quote_snowflake_doubled, _quote_snowflake, _quote_snowflake_dollar, _quote_jinja],
    "bigquery": [_quote_bigquery, _quote_bigquery_triple, _quote_bigquery_raw, _quote_jinja],
}
_COMMENTS = {
    "duckdb": ["-- don't\n", "/* it's */"],
    "postgres": ["-- don't\n", "/* /* it's */ */"],
    "snowflake": ["-- don't\n", "// it's\n", "/* it's */"],
    "bigquery": ["-- don't\n", "# it's\n", "/* it's */"],
}
_FILLER = ["select", " ", ",", "\n", "a$b", '"it\'s"', "{{ ref('orders') }}", "(", ")", "1", "x", "$1"]


@st.composite
def dialect_sql(draw: st.DrawFn) -> tuple[str, str]:
    adapter = draw(st.sampled_from(sorted(QUOTERS)))
    filler = [f for f in _FILLER if adapter == "bigquery" or f != '"it\'s"']
    if adapter == "bigquery":
        filler = [f if f != "a$b" else "`it's`" for f in filler]
    parts: list[str] = []
    for _ in range(draw(st.integers(min_value=1, max_value=6))):
        parts.append(draw(st.sampled_from(filler)))
        parts.append(" ")
        quoter = draw(st.sampled_from(QUOTERS[adapter]))
        parts.append(quoter(draw(secrets)))
        parts.append(" ")
        if draw(st.booleans()):
            parts.append(draw(st.sampled_from(_COMMENTS[adapter])))
    return adapter, "".join(parts)


@settings(max_examples=400, deadline=None)
@given(dialect_sql())
def test_generated_secrets_never_reach_the_prompt(case: tuple[str, str]) -> None:
    adapter, sql = case
    prompt_sql = prepare_sql(sql, max_chars=100_000, redact_literals=True, adapter_type=adapter)
    leaked = [char for char in prompt_sql if char in _MARK]
    assert not leaked, (adapter, sql, prompt_sql)
