-- Revenue is booked on the order date; returned orders are excluded, pending returns still count.
with orders as (

    select * from {{ ref('orders') }}
    where order_status <> 'returned'

)

select
    ordered_on as revenue_date,
    count(*) as order_count,
    cast(sum(item_count) as integer) as items_sold,
    sum(amount) as gross_revenue,
    sum(coupon_amount) as coupon_revenue,
    sum(amount) - sum(coupon_amount) as net_revenue,
    cast(sum(amount) / count(*) as decimal(16, 2)) as average_order_value

from orders
group by ordered_on
order by ordered_on
