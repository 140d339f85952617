from collections.abc import Iterator

import pytest
from dbt.deprecations import reset_deprecations


@pytest.fixture(autouse=True)
def _forget_dbt_deprecations() -> Iterator[None]:
    # dbt counts deprecations process-wide; the real projects use old syntax (`tests:` with bare
    # arguments), and later tests that expect a warning-free parse must not inherit those counts.
    yield
    reset_deprecations()
