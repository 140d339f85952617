{{ ref('int_model_4') }}
{{ ref('stg_model_1') }}