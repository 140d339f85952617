with order_items as (

    select * from {{ ref('stg_order_items') }}

),

products as (

    select * from {{ ref('stg_products') }}

),

orders as (

    select * from {{ ref('stg_orders') }}

),

enriched as (

    select
        order_items.order_item_id,
        order_items.order_id,
        orders.customer_id,
        orders.ordered_on,
        order_items.product_id,
        products.product_name,
        products.product_type,
        order_items.quantity,
        products.product_price as unit_price,
        order_items.quantity * products.product_price as line_total,
        products.is_food_item,
        products.is_drink_item

    from order_items
    inner join products on order_items.product_id = products.product_id
    inner join orders on order_items.order_id = orders.order_id

)

select * from enriched
