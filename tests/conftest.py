"""Every test's fixtures come from tests/support/; this file only exposes them."""

from tests.support.fixtures import (  # noqa: F401  (pytest finds fixtures by the names imported here)
    _fake_provider_session,
    built_chain,
    chain,
    fake_provider,
    fake_provider_env,
    llm_env,
    llm_runtime,
    project_store,
    run_cli,
)
from tests.support.warehouses import postgres_server, warehouse  # noqa: F401
