from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from dbt_osmosis.cli.main import cli

from .dbt_projects import build, copy_project, write_project

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
def built_chain(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = write_project(tmp_path_factory.mktemp("chain") / "project", CHAIN_FILES)
    build(root)
    return root


@pytest.fixture
def chain(built_chain: Path, tmp_path: Path) -> Path:
    return copy_project(built_chain, tmp_path / "project")


RunCli = Callable[..., Result]


@pytest.fixture
def run_cli() -> Iterator[RunCli]:
    def invoke(project: Path, *args: str) -> Result:
        return CliRunner().invoke(
            cli,
            ["yaml", "document", "--project-dir", str(project), "--profiles-dir", str(project), *args],
            catch_exceptions=False,
        )

    yield invoke
