"""The pytest fixtures every test can use; tests/conftest.py exposes them."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from dbt_osmosis.core.llm import runtime as runtime_module
from dbt_osmosis.core.llm.runtime import LLMRuntime
from tests.fakes.fake_provider import FakeProviderServer

from .cli import RunCli, run_document
from .llm import provider_env
from .projects import ProjectStore, built_from

# A four-level chain: seed -> staging -> intermediate -> mart, plus a source and a model with no YAML.
CHAIN_FILES = {
    "seeds/raw_customers.csv": """
        id,first_name,status,signup_date
        1,Ada,active,2024-01-02
        2,Grace,churned,2024-02-03
    """,
    "seeds/_seeds.yml": """
        version: 2
        seeds:
          - name: raw_customers
            description: Customers as exported from the CRM.
            columns:
              - name: id
                description: The CRM's customer id.
                tags: [pii]
                meta:
                  owner: crm-team
              - name: status
                description: "Lifecycle status: active or churned."
    """,
    "models/staging/stg_customers.sql": """
        select id as customer_id, id, first_name, status, signup_date from {{ ref('raw_customers') }}
    """,
    "models/staging/_staging.yml": """
        version: 2

        # Staging models: one per raw table.
        models:
          - name: stg_customers   # cleaned customers
            description: 'Customers, renamed and typed.'
            columns:
              - name: customer_id
                description: Primary key of a customer.
                data_tests:
                  - unique
                  - not_null

              - name: first_name
                description: Pending further documentation
              - name: status
                description: ""
    """,
    "models/intermediate/int_customers.sql": """
        select customer_id, first_name, status, signup_date, id from {{ ref('stg_customers') }}
    """,
    "models/marts/customers.sql": """
        select customer_id, first_name, status, signup_date, id from {{ ref('int_customers') }}
    """,
    "models/marts/_marts.yml": """
        version: 2
        models:
          - name: customers
            description: One row per customer.
            columns:
              - name: customer_id
                description: Hand-written mart description.
    """,
}


@pytest.fixture(scope="session")
def project_store(tmp_path_factory: pytest.TempPathFactory) -> ProjectStore:
    """The session's build-once projects (see ``ProjectStore``)."""
    return ProjectStore(tmp_path_factory)


@pytest.fixture(scope="session")
def built_chain(project_store: ProjectStore) -> Path:
    """The chain project, seeded and run once per session; read it, never change it."""
    return project_store.built("chain", built_from(CHAIN_FILES))


@pytest.fixture
def chain(project_store: ProjectStore, tmp_path: Path) -> Path:
    """A private copy of the built chain project for one test to change."""
    return project_store.copy("chain", built_from(CHAIN_FILES), tmp_path / "project")


@pytest.fixture
def run_cli() -> RunCli:
    """``run_cli(project, *args)``: ``dbt-osmosis yaml document`` on the project, in-process."""
    return run_document


@pytest.fixture(scope="session")
def _fake_provider_session() -> Iterator[FakeProviderServer]:
    # One server per session, which under xdist means one per worker: each on its own free port.
    with FakeProviderServer() as server:
        yield server


@pytest.fixture
def fake_provider(_fake_provider_session: FakeProviderServer) -> Iterator[FakeProviderServer]:
    """The session's fake provider, with scripts, records, latency and limits cleared for this test."""
    _fake_provider_session.reset()
    yield _fake_provider_session


@pytest.fixture
def fake_provider_env(fake_provider: FakeProviderServer) -> dict[str, str]:
    """Environment variables pointing every provider at the fake server (apply with monkeypatch)."""
    return provider_env(fake_provider.base_url)


@pytest.fixture
def llm_env(monkeypatch: pytest.MonkeyPatch, fake_provider_env: dict[str, str]) -> None:
    """Point the default provider (OpenAI), and every other one, at the fake server."""
    monkeypatch.delenv("LLM_PROVIDER", raising=False)
    for name, value in fake_provider_env.items():
        monkeypatch.setenv(name, value)


@pytest.fixture(autouse=True)
def llm_runtime(monkeypatch: pytest.MonkeyPatch) -> Iterator[LLMRuntime]:
    """A new ``LLMRuntime`` per test, installed as the process default for code that passes none.

    Nothing one test caches, learns or counts reaches the next, and no test resets a global. Its usage
    is marked reported at the end: the exit-time summary would otherwise print after pytest's own line.
    """
    runtime = LLMRuntime()
    monkeypatch.setattr(runtime_module, "_default", runtime)
    yield runtime
    stats = runtime.usage_if_created
    if stats is not None:
        stats.mark_reported()
    runtime.clear_clients()
