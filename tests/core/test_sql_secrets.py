"""What `sql run` and `sql compile` mask: secrets of the environment, never ordinary data."""

from __future__ import annotations

from dbt_osmosis.core.dbt.env_secrets import Secrets

ENV = {
    "OPENAI_API_KEY": "sk-proj-abcdefghijklmnopqrstuvwx12345",
    "SNOWFLAKE_PASSWORD": "test",  # short: masked only where it is a whole value
    "DBT_ENV_SECRET_GIT_TOKEN": "ghp_0123456789abcdef",
    "HOME": "/home/someone-with-a-long-name",  # not a secret by its name
}


def test_secret_variables_are_found_by_name() -> None:
    secrets = Secrets.from_environment(ENV)
    assert set(secrets.values) == {ENV["OPENAI_API_KEY"], "test", ENV["DBT_ENV_SECRET_GIT_TOKEN"]}


def test_rows_lose_the_secrets_and_keep_everything_else() -> None:
    secrets = Secrets.from_environment(ENV)
    assert secrets.cell(ENV["OPENAI_API_KEY"]) == "***"
    assert secrets.cell(f"Bearer {ENV['OPENAI_API_KEY']}") == "Bearer ***"
    assert secrets.cell("test") == "***"
    # A short password is not cut out of every word that contains it.
    assert secrets.cell("testing the latest build") == "testing the latest build"
    # Key-shaped data that is no secret of this machine (an md5 surrogate key) is the user's.
    assert secrets.cell("0cc175b9c0f1b6a831c399e269772661") == "0cc175b9c0f1b6a831c399e269772661"
    assert secrets.cell(42) == 42 and secrets.cell(None) is None


def test_error_lines_also_lose_anything_shaped_like_a_key() -> None:
    secrets = Secrets.from_environment({})
    line = secrets.message("Binder Error: column sk-live-zyxwvutsrqponmlk0987 not found")
    assert "zyxwvutsrqponmlk" not in line and "***" in line
