"""Deterministic kill points for the fault-injection tests (``tests/faults/``).

Set ``FLOPCAST_FAULT_KILL_AT=<name>`` and the process SIGKILLs itself the moment it reaches
``checkpoint(<name>)``: no cleanup handlers, no ``finally`` blocks, exactly like the OOM killer or
a power cut of the process. Unset (always, outside tests), a checkpoint costs one dict lookup.

Kill points (each sits just before a step that makes a write visible):

- ``landing.before_latest``  a new landing file and its provenance are written, ``LATEST`` not moved
- ``dbt.before_publish``     dbt built the run's scratch warehouse, not yet published
- ``model.before_publish``   the model wrote its tables to the scratch warehouse, not yet published
- ``archive.before_swap``    the brief is rendered and staged in a temp folder, not yet swapped in
- ``run.before_warehouse_publish``  the run's brief is archived, its staged warehouse and landing
  pointers not yet published (the one instant a run's results are half visible: each part whole)
- ``delivery.after_send``    the SMTP server accepted a message, the ledger does not record it yet

Plain Python, no imports beyond the standard library: any layer may call it.
"""

import os
import signal

ENV = "FLOPCAST_FAULT_KILL_AT"
POINTS = (
    "landing.before_latest",
    "dbt.before_publish",
    "model.before_publish",
    "archive.before_swap",
    "run.before_warehouse_publish",
    "delivery.after_send",
)


def checkpoint(name: str) -> None:
    """SIGKILL this process if ``FLOPCAST_FAULT_KILL_AT`` names this point."""
    if os.environ.get(ENV) == name:
        os.kill(os.getpid(), signal.SIGKILL)
