"""Webhooks: ``job.completed`` and ``job.failed`` POSTed to a project's URL, signed with its secret.

An outbox. :meth:`WebhookOutbox.record` runs inside the transaction that ends a job (the
runner's ``on_end`` hook), so an event row exists if and only if the job ended; sender tasks
then claim due rows with a guarded UPDATE, POST them and retry with backoff. The runner never
waits for a receiver. See docs/jobs.md ("Webhooks").
"""

from ogplatform.jobs.webhooks._outbox import EVENTS, JobView, WebhookOutbox, job_summary
from ogplatform.jobs.webhooks._projects import (
    SECRET_PREFIX,
    check_webhook_url,
    clear_webhook,
    recent_deliveries,
    set_webhook,
    sign,
)

__all__ = [
    "EVENTS",
    "SECRET_PREFIX",
    "JobView",
    "WebhookOutbox",
    "check_webhook_url",
    "clear_webhook",
    "job_summary",
    "recent_deliveries",
    "set_webhook",
    "sign",
]
