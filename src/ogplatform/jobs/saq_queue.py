"""Wake-ups through Redis with SAQ, for ``ogplatform worker`` processes on several machines.

A message is a job id and nothing else: its SAQ key is the job id, so two wake-ups for one job
collapse into one, and a worker acknowledges (deletes) a message the moment it takes it. What
happens next is decided by the job row: the claim, the lease and its heartbeat, the attempts
and the backoff (see :mod:`ogplatform.jobs.store`). SAQ never runs our code, so its retries,
timeouts and sweeps have nothing to act on; the messages say so anyway (``retries=0``,
``timeout=0``, ``heartbeat=0``; ``ttl=-1``: deleted once taken) for whoever looks at the queue
with SAQ's own tools.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

import structlog
from redis import asyncio as aioredis
from saq.job import Job as Message
from saq.job import Status
from saq.queue.redis import RedisQueue

if TYPE_CHECKING:
    from redis.asyncio import Redis

__all__ = ["SaqJobQueue"]

log = structlog.get_logger("ogplatform.jobs")

# SAQ logs every enqueue and every finish at INFO: two lines per job that say nothing ours don't.
logging.getLogger("saq").setLevel(logging.WARNING)

FUNCTION = "wake"  # what SAQ's tools show as the message's function; no SAQ worker runs it
NOTIFY_TIMEOUT = 2.0  # seconds a wake-up may take before the API gives up on it (runners poll)
SLACK = 2.0  # seconds past a blocking dequeue's own timeout before the connection counts as dead


class _PrefixedQueue(RedisQueue):
    """SAQ's Redis queue with its keys under the queue's name (``<name>:queued``,
    ``<name>:job:<key>``...) instead of ``saq:``, so that ``[redis] key_prefix`` covers them
    like every other key of ours (ACLs, cleanup, two deployments on one Redis).

    These three methods are how SAQ names keys; pyproject pins SAQ below 0.27 and
    tests/unit/jobs/test_worker.py checks the layout, so a change there is caught.
    """

    def namespace(self, key: str) -> str:
        return f"{self.name}:{key}"

    def job_id(self, job_key: str) -> str:
        return f"{self.name}:job:{job_key}"

    def job_key_from_id(self, job_id: str) -> str:
        return job_id.removeprefix(f"{self.name}:job:")


class SaqJobQueue:
    """The :class:`~ogplatform.jobs.queue.JobQueue` of ``[jobs] runner = "redis"``.

    ``name`` is ``<[redis] key_prefix>jobs``: its keys are ``<name>:queued``, ``<name>:active``,
    ``<name>:incomplete`` and one ``<name>:job:<job id>`` per waiting wake-up.
    """

    __slots__ = ("_down", "_queue", "_redis", "_url", "name")

    def __init__(self, url: str, name: str) -> None:
        self._url = url
        self.name = name
        self._redis: Redis | None = None
        self._queue: _PrefixedQueue | None = None
        self._down = False

    def _saq(self) -> _PrefixedQueue:
        # Built on first use, inside the event loop that will use it.
        if self._queue is None:
            # No socket timeout: a dequeue blocks for up to poll_seconds by design. Every call
            # is bounded by an asyncio timeout instead.
            self._redis = aioredis.from_url(self._url, socket_connect_timeout=2.0)
            self._queue = _PrefixedQueue(self._redis, name=self.name)
        return self._queue

    async def notify(self, job_id: str) -> None:
        """Send a wake-up for ``job_id`` (one per job: a second one while the first waits is
        dropped). Logs and returns when Redis does not answer: the job waits for a poll."""
        message = Message(FUNCTION, key=job_id, retries=0, timeout=0, heartbeat=0, ttl=-1)
        try:
            async with asyncio.timeout(NOTIFY_TIMEOUT):
                await self._saq().enqueue(message)
        except Exception as exc:  # the row is committed; the wake-up is only a shortcut
            self._failed("notify", exc)
        else:
            self._recovered()

    async def wait(self, seconds: float) -> str | None:
        """Take the next wake-up within ``seconds`` and acknowledge it at once; return its job
        id, or None when none came (or Redis is down: then after ``seconds``, as a poll)."""
        queue = self._saq()
        try:
            async with asyncio.timeout(seconds + SLACK):
                message = await queue.dequeue(timeout=seconds)
                if message is None:
                    self._recovered()
                    return None
                await queue.finish(message, Status.COMPLETE)
        except Exception as exc:
            self._failed("wait", exc)
            await asyncio.sleep(seconds)
            return None
        self._recovered()
        return message.key

    async def close(self) -> None:
        """Close the Redis connections (safe to call when none were opened)."""
        if self._redis is not None:
            await self._redis.aclose()
        self._redis = self._queue = None

    def _failed(self, operation: str, exc: Exception) -> None:
        if not self._down:  # once per outage, not once per poll
            log.warning(
                "job_queue_unavailable", queue=self.name, operation=operation, error=repr(exc)
            )
        self._down = True

    def _recovered(self) -> None:
        if self._down:
            log.info("job_queue_available", queue=self.name)
        self._down = False
