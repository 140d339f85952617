select
    order_item_id,
    order_id,
    customer_id,
    ordered_on,
    product_id,
    product_name,
    product_type,
    quantity,
    unit_price,
    line_total,
    is_food_item,
    is_drink_item

from {{ ref('int_order_items_enriched') }}
