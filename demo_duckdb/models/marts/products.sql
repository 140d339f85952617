with products as (

    select * from {{ ref('stg_products') }}

),

sales as (

    select
        product_id,
        cast(sum(quantity) as integer) as units_sold,
        sum(line_total) as gross_sales

    from {{ ref('int_order_items_enriched') }}
    group by product_id

)

select
    products.product_id,
    products.product_name,
    products.product_type,
    products.product_description,
    products.product_price,
    products.is_food_item,
    products.is_drink_item,
    coalesce(sales.units_sold, 0) as units_sold,
    coalesce(sales.gross_sales, 0) as gross_sales

from products
left join sales on products.product_id = sales.product_id
