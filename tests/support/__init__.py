"""What the tests share, in one place; test modules import from here and never from each other.

- ``projects``: small dbt-duckdb projects written by tests, built once per session and copied per test.
- ``cli``: running the command line in-process.
- ``llm``: flags and request helpers for runs against the fake provider (tests/fakes/fake_provider.py).
- ``yaml_checks``: reading schema files back and checking that a run only made deliberate changes.
- ``emitter``: styles, traps and corpus for the YAML reader/emitter tests.
- ``fixtures``: the pytest fixtures, exposed to every test by tests/conftest.py.
"""
