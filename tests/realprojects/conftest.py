from tests.core.conftest import run_cli  # noqa: F401  (the same CLI runner as the core tests)
