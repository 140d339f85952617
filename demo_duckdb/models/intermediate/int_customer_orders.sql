-- One row per customer who has ordered at least once; returned orders do not count as spend.
with orders as (

    select * from {{ ref('stg_orders') }}

),

order_payments as (

    select * from {{ ref('int_order_payments') }}

),

customer_orders as (

    select
        orders.customer_id,
        min(orders.ordered_on) as first_order_on,
        max(orders.ordered_on) as most_recent_order_on,
        cast(count(distinct orders.order_id) as integer) as number_of_orders,
        coalesce(sum(
            case when orders.order_status <> 'returned' then order_payments.total_paid end
        ), 0) as lifetime_spend

    from orders
    left join order_payments on orders.order_id = order_payments.order_id
    group by orders.customer_id

)

select * from customer_orders
