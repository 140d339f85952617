"""``python -m dbt_osmosis``: the same command line as ``dbt-osmosis``."""

from dbt_osmosis.cli.main import cli

if __name__ == "__main__":
    cli(prog_name="dbt-osmosis")
