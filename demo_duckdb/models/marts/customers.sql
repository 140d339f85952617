with customers as (

    select * from {{ ref('stg_customers') }}

),

customer_orders as (

    select * from {{ ref('int_customer_orders') }}

),

final as (

    select
        customers.customer_id,
        customers.first_name,
        customers.last_name,
        customers.full_name,
        customers.email,
        customers.signed_up_on,
        customer_orders.first_order_on,
        customer_orders.most_recent_order_on,
        coalesce(customer_orders.number_of_orders, 0) as number_of_orders,
        coalesce(customer_orders.lifetime_spend, 0) as customer_lifetime_value,
        case
            when customer_orders.number_of_orders is null then 'prospect'
            when customer_orders.number_of_orders = 1 then 'new'
            else 'returning'
        end as customer_type

    from customers
    left join customer_orders on customers.customer_id = customer_orders.customer_id

)

select * from final
