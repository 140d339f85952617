{# Money arrives from the shop's systems in integer cents; models report exact dollars and cents. #}
{% macro cents_to_dollars(column_name, scale=2) -%}
    cast({{ column_name }} / 100 as decimal(16, {{ scale }}))
{%- endmacro %}
