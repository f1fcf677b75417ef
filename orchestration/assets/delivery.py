"""Delivery (group `delivery`): the month's brief emailed to the configured recipients, once each."""

from dagster import AssetExecutionContext, Failure, MaterializeResult, MetadataValue, asset

from orchestration.assets.brief import monthly_brief
from orchestration.partitions_def import monthly_partitions
from orchestration.resources import MailResource, WarehouseResource
from orchestration.steps.delivery import deliver_brief, ledger_path
from reports.mail_settings import DeliveryError


@asset(
    key=["delivery", "brief_email"],
    group_name="delivery",
    partitions_def=monthly_partitions,
    deps=[monthly_brief],
    kinds={"email"},
    owners=["team:flopcast"],
    description=(
        "The brief emailed to FLOPCAST_MAIL_TO (SMTP from FLOPCAST_SMTP_*; with no host, `.eml` "
        "files in `$FLOPCAST_HOME/outbox/`). A ledger keyed by partition, recipient and PDF hash "
        "makes re-runs send nothing twice; each recipient is retried with backoff, and recipients "
        "that still fail fail the step (the others stay delivered)."
    ),
)
def brief_email(context: AssetExecutionContext, warehouse: WarehouseResource, mail: MailResource):
    settings = warehouse.settings
    try:
        mail_settings = mail.mail_settings()
        report = deliver_brief(settings, mail_settings, context.partition_key)
    except DeliveryError as exc:  # configuration or a missing brief: retrying cannot help
        raise Failure(description=str(exc), allow_retries=False) from None
    metadata = {
        "sent": len(report.sent),
        "already_delivered": len(report.skipped),
        "failed": len(report.failed),
        "recipients": MetadataValue.json({"sent": sorted(report.sent), "skipped": report.skipped,
                                          "failed": report.failed}),
        "transport": "smtp" if mail_settings.smtp else "outbox",
        "ledger": MetadataValue.path(str(ledger_path(settings))),
    }
    if report.failed:
        raise Failure(description=f"delivery incomplete: {report.summary()}", metadata=metadata)
    return MaterializeResult(metadata=metadata)
