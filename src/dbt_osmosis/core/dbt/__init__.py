"""dbt access: loading the project, selection, the catalog, SQL, dbt messages and the target folder."""
