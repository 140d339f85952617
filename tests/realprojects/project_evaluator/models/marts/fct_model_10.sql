{{ ref('stg_model_1') }}
{{ ref('stg_model_2') }}
{{ ref('stg_model_3') }}