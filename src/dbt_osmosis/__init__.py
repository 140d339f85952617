"""dbt-osmosis: keep dbt YAML documentation in step with the warehouse and the DAG."""

__version__ = "1.2.0"
