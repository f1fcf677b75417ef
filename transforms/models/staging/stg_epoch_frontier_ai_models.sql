-- Epoch AI frontier models (see macro stg_epoch_models), with the frontier file's extra
-- columns (inference / post-training compute, estimation method). One row per model.
{{ stg_epoch_models('epoch_frontier_ai_models', frontier=true) }}
