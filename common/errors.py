"""Error chains as Dagster reports them (``SerializableErrorInfo``: ``message``, ``cls_name``,
``cause``), read without importing Dagster."""


def root_cause(error):
    """The innermost cause of ``error`` (None stays None): the failure itself, not the wrappers
    around it such as "retries exceeded" or "error in op"."""
    while error is not None and error.cause is not None:
        error = error.cause
    return error
