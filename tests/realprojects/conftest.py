from collections.abc import Iterator

import pytest
from dbt.deprecations import reset_deprecations
from tests.core.conftest import run_cli  # noqa: F401  (the same CLI runner as the core tests)


@pytest.fixture(autouse=True)
def _forget_dbt_deprecations() -> Iterator[None]:
    # dbt counts deprecations process-wide; the real projects use old syntax (`tests:` with bare
    # arguments), and later tests that expect a warning-free parse must not inherit those counts.
    yield
    reset_deprecations()
