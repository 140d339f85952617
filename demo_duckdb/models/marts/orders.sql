with orders as (

    select * from {{ ref('stg_orders') }}

),

order_payments as (

    select * from {{ ref('int_order_payments') }}

),

order_items as (

    select
        order_id,
        cast(sum(quantity) as integer) as item_count,
        sum(line_total) as subtotal,
        bool_or(is_food_item) as is_food_order,
        bool_or(is_drink_item) as is_drink_order

    from {{ ref('int_order_items_enriched') }}
    group by order_id

),

final as (

    select
        orders.order_id,
        orders.customer_id,
        orders.ordered_on,
        orders.order_status,
        orders.store_name,
        order_items.item_count,
        order_items.subtotal,
        order_payments.credit_card_amount,
        order_payments.coupon_amount,
        order_payments.bank_transfer_amount,
        order_payments.gift_card_amount,
        coalesce(order_payments.total_paid, 0) as amount,
        order_items.is_food_order,
        order_items.is_drink_order

    from orders
    left join order_items on orders.order_id = order_items.order_id
    left join order_payments on orders.order_id = order_payments.order_id

)

select * from final
