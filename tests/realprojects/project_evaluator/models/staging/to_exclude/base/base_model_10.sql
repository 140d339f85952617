

select true