"""Core machinery: dbt project loading, YAML round trip, inheritance, synthesis."""
