"""Background jobs: rows in the database, runners that claim them under a lease, and handlers
registered by job type. Generic: the code that does a job's work registers itself; this package
imports none of it. See docs/jobs.md.
"""

from ogplatform.jobs.handlers import HandlerRegistry, JobHandler, JobOutcome, PermanentJobError
from ogplatform.jobs.queue import InProcessQueue, JobQueue, job_queue_for
from ogplatform.jobs.runner import JobRunner
from ogplatform.jobs.store import Finalizer, claim, complete, fail_attempt, renew

__all__ = [
    "Finalizer",
    "HandlerRegistry",
    "InProcessQueue",
    "JobHandler",
    "JobOutcome",
    "JobQueue",
    "JobRunner",
    "PermanentJobError",
    "claim",
    "complete",
    "fail_attempt",
    "job_queue_for",
    "renew",
]
