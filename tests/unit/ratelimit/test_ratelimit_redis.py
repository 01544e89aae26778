"""The Redis store for real: atomic across processes, and degrading to memory when Redis fails."""

from __future__ import annotations

import asyncio
import shutil
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import redis.asyncio as redis
from structlog.testing import capture_logs

from ogplatform.ratelimit import FallbackLimiter, MemoryLimiter, RedisLimiter, Window

pytestmark = pytest.mark.redis

# Each process joins a barrier in Redis, then fires its requests at once.
WORKER = """
import asyncio, sys, time
import redis.asyncio as redis
from structlog.testing import capture_logs
from ogplatform.ratelimit import RedisLimiter, Window

async def main(url, prefix, attempts):
    client = redis.from_url(url)
    await client.incr(prefix + "barrier")
    deadline = time.monotonic() + 30
    while int(await client.get(prefix + "barrier")) < 4 and time.monotonic() < deadline:
        await asyncio.sleep(0.01)
    limiter = RedisLimiter(client, prefix)
    results = await asyncio.gather(
        *(limiter.hit("shared-client", (Window(20, 60),)) for _ in range(attempts))
    )
    print(sum(r.allowed for r in results))
    await client.aclose()

asyncio.run(main(sys.argv[1], sys.argv[2], int(sys.argv[3])))
"""


async def test_four_processes_sharing_redis_let_exactly_the_limit_through(redis_url, redis_prefix):
    workers = [
        await asyncio.create_subprocess_exec(
            sys.executable,
            "-c",
            WORKER,
            redis_url,
            redis_prefix,
            "15",
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        for _ in range(4)
    ]
    outputs = await asyncio.wait_for(asyncio.gather(*(w.communicate() for w in workers)), 60)
    for worker, (_, err) in zip(workers, outputs, strict=True):
        assert worker.returncode == 0, err.decode()
    allowed = [int(out) for out, _ in outputs]
    assert sum(allowed) == 20, allowed  # 60 attempts against 20/min: exactly 20, never 21


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class OwnRedis:
    """A redis-server of this test's own, on its own port, that the test may stop and restart."""

    def __init__(self, folder: Path) -> None:
        self.port = free_port()
        self.folder = folder
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        binary = shutil.which("redis-server")
        assert binary, "redis-server is not installed (Debian package redis-server)"
        self.process = subprocess.Popen(
            [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", str(self.folder), "--enable-debug-command", "local"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        deadline = time.monotonic() + 20
        while True:  # wait for the port to answer, bounded
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                assert time.monotonic() < deadline, "own redis-server did not start"
                time.sleep(0.05)

    def kill(self) -> None:
        assert self.process is not None
        self.process.kill()
        self.process.wait()


@pytest.fixture
def own_redis(tmp_path, redis_url):  # redis_url: CI must have Redis installed and running
    server = OwnRedis(tmp_path)
    server.start()
    yield server
    if server.process and server.process.poll() is None:
        server.kill()


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


async def test_outage_falls_back_to_memory_logs_once_and_recovers(own_redis):
    client = redis.from_url(f"redis://127.0.0.1:{own_redis.port}/0", socket_timeout=1)
    prefix = f"t:{uuid.uuid4().hex}:"
    clock = Clock()
    limiter = FallbackLimiter(
        RedisLimiter(client, prefix), MemoryLimiter(), retry_after=5.0, clock=clock
    )
    windows = (Window(3, 60),)
    assert (await limiter.hit("c", windows)).allowed
    assert await client.exists(*[k async for k in client.scan_iter(f"{prefix}*")]) == 1

    own_redis.kill()
    with capture_logs() as logged:
        outage = [await limiter.hit("c", windows) for _ in range(5)]
    # Still limited (never unlimited): memory starts counting afresh, 3 per minute.
    assert [d.allowed for d in outage] == [True, True, True, False, False]
    assert limiter.degraded
    assert [e["event"] for e in logged] == ["ratelimit_store_unavailable"]

    own_redis.start()  # same port, empty data
    clock.now = 4.0  # still inside the back-off: memory answers, Redis is not asked
    await limiter.hit("d", windows)
    assert [k async for k in client.scan_iter(f"{prefix}*")] == []
    clock.now = 6.0  # back-off over: Redis is tried again and answers
    with capture_logs() as logged:
        assert (await limiter.hit("e", windows)).allowed
    assert not limiter.degraded
    assert len([k async for k in client.scan_iter(f"{prefix}*")]) == 1
    assert [e["event"] for e in logged] == ["ratelimit_store_recovered"]
    await client.aclose()


async def test_a_slow_redis_times_out_into_memory(own_redis):
    client = redis.from_url(f"redis://127.0.0.1:{own_redis.port}/0")
    blocker = redis.from_url(f"redis://127.0.0.1:{own_redis.port}/0")
    limiter = FallbackLimiter(RedisLimiter(client, "slow:"), MemoryLimiter(), timeout=0.2)
    # DEBUG SLEEP blocks the whole server for 2 s (our own server, so nobody else waits).
    sleeper = asyncio.create_task(blocker.execute_command("DEBUG", "SLEEP", "2"))
    await asyncio.sleep(0.1)  # let the server start sleeping
    started = time.monotonic()
    decision = await limiter.hit("s", (Window(1, 60),))
    assert decision.allowed
    assert time.monotonic() - started < 1.5  # answered by memory, not after Redis woke up
    assert limiter.degraded
    await sleeper
    await client.aclose()
    await blocker.aclose()
