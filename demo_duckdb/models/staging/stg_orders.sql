with source as (

    select * from {{ ref('raw_orders') }}

),

renamed as (

    select
        id as order_id,
        user_id as customer_id,
        cast(order_date as date) as ordered_on,
        status as order_status,
        store as store_name

    from source

)

select * from renamed
