select
    1 as id,
    'banana' as fruit
