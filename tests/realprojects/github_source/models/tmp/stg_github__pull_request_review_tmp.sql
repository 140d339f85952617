select *
from {{ var('pull_request_review') }}
