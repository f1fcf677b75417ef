-- Epoch AI large_scale_ai_models (see macro stg_epoch_models). One row per model (publisher's key).
{{ stg_epoch_models('epoch_large_scale_ai_models') }}
