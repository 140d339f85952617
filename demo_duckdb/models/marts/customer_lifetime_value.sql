-- Customers ranked by what they have spent so far, with a simple value tier for marketing.
with customers as (

    select * from {{ ref('customers') }}
    where number_of_orders > 0

)

select
    customer_id,
    full_name,
    number_of_orders,
    customer_lifetime_value,
    cast(customer_lifetime_value / number_of_orders as decimal(16, 2)) as average_order_value,
    {{ dbt.datediff('first_order_on', 'most_recent_order_on', 'day') }} as active_days,
    rank() over (order by customer_lifetime_value desc) as value_rank,
    case
        when customer_lifetime_value >= 100 then 'gold'
        when customer_lifetime_value >= 40 then 'silver'
        else 'bronze'
    end as value_tier

from customers
