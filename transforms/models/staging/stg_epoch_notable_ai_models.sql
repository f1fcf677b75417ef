-- Epoch AI notable_ai_models (see macro stg_epoch_models). One row per model (publisher's key).
{{ stg_epoch_models('epoch_notable_ai_models') }}
