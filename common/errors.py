"""Error chains as Dagster reports them (``SerializableErrorInfo``: ``message``, ``cls_name``,
``cause``), read without importing Dagster, and put in the one line the command line prints."""

import re

from common.fs import describe_os_error

# "[Errno 30] Read-only file system: '/x/y'" (and "-> '/z'" for a rename), as Python prints an OSError
_OS_ERROR_TEXT = re.compile(r"^\[Errno (\d+)\] ([^:]+?)(?:: '(.*?)')?(?: -> '(.*)')?$")


def root_cause(error):
    """The innermost cause of ``error`` (None stays None): the failure itself, not the wrappers
    around it such as "retries exceeded" or "error in op"."""
    while error is not None and error.cause is not None:
        error = error.cause
    return error


def error_text(error) -> str:
    """The last line of an error record's message, without its class-name prefix; an OS error as
    ``describe_os_error`` puts it ('cannot write /x/y: read-only file system')."""
    text = ((error.message or "").strip().splitlines() or [error.cls_name or "error"])[-1].strip()
    prefix, _, rest = text.partition(": ")
    if error.cls_name and prefix.endswith(error.cls_name) and rest:
        text = rest
    match = _OS_ERROR_TEXT.match(text)
    if match:
        number, reason, path, target = match.groups()
        text = describe_os_error(OSError(int(number), reason, path, None, target))
    return text
