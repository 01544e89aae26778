"""The render cache over HTTP: hits from each tier and 304s against a bare endpoint serving
the same bytes (uvicorn, one worker, wrk in another process), 50 identical cold requests,
and hit latency while other keys render."""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import httpx

from benchmarks._harness import Comparison
from benchmarks.ratelimit import REDIS_URL, _free_port, _redis_answers, _wait_for

ROOT = Path(__file__).resolve().parents[1]
CARD = "/api/og?title=Cached+card&description=Served+from+the+cache"


def _start(tiers: str, bare_file: str) -> tuple[subprocess.Popen[bytes], str]:
    port = _free_port()
    env = {**os.environ, "BENCH_TIERS": tiers, "BENCH_BARE_FILE": bare_file,
           "BENCH_REDIS_URL": REDIS_URL if tiers == "redis" else ""}  # fmt: skip
    server = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "benchmarks._apps:cache_app", "--factory",
         "--port", str(port), "--no-access-log", "--log-level", "warning"],
        env=env, cwd=ROOT,
    )  # fmt: skip
    _wait_for(port)
    return server, f"http://127.0.0.1:{port}"


def _wrk(
    url: str, seconds: int, headers: tuple[str, ...] = (), latency: bool = False
) -> dict[str, float]:
    args = ["wrk", "-t1", "-c16", f"-d{seconds}s", *(a for h in headers for a in ("-H", h))]
    out = subprocess.run([*args, *(["--latency"] if latency else []), url],
                         capture_output=True, text=True, check=True).stdout  # fmt: skip
    if "Non-2xx" in out and not any("If-None-Match" in h for h in headers):
        raise RuntimeError(f"wrk saw errors:\n{out}")
    result = {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))}  # type: ignore[union-attr]
    if latency:
        for pct in ("50", "99"):
            match = re.search(rf"\s{pct}%\s+([\d.]+)(us|ms|s)", out)
            if match:
                value, unit = float(match.group(1)), match.group(2)
                result[f"p{pct}_ms"] = (
                    value / 1000 if unit == "us" else value * (1000 if unit == "s" else 1)
                )
    return result


def hits_against_bare(
    tiers: str, bare_file: str, rounds: int = 3, seconds: int = 3
) -> list[Comparison]:
    server, base = _start(tiers, bare_file)
    try:
        first = httpx.get(base + CARD, timeout=60)  # render once; later requests hit `tiers`
        etag = first.headers["etag"]
        assert httpx.get(base + CARD).headers["x-cache"].lower().endswith(tiers), "wrong tier"
        rps: dict[str, list[float]] = {"hit": [], "304": [], "bare": []}
        for round_no in range(rounds):
            order = ["hit", "304", "bare"] if round_no % 2 == 0 else ["bare", "304", "hit"]
            for what in order:
                if what == "hit":
                    rps[what].append(_wrk(base + CARD, seconds)["rps"])
                elif what == "304":
                    rps[what].append(_wrk(base + CARD, seconds, (f"If-None-Match: {etag}",))["rps"])
                else:
                    rps[what].append(_wrk(base + "/api/bench/bare", seconds)["rps"])
    finally:
        server.terminate()
        server.wait(timeout=20)
    bare_us = 1e6 / statistics.median(rps["bare"])
    return [
        Comparison(f"HTTP cache hit ({tiers} tier)", "bare endpoint, same bytes",
                   1e6 / statistics.median(rps["hit"]), bare_us),
        Comparison(f"HTTP 304 ({tiers} tier)", "bare endpoint, same bytes",
                   1e6 / statistics.median(rps["304"]), bare_us),
    ]  # fmt: skip


async def cold_and_contention(bare_file: str) -> list[str]:
    """50 identical cold requests (one render?), and hit latency while renders run."""
    server, base = _start("memory", bare_file)
    lines = []
    try:
        async with httpx.AsyncClient(base_url=base, timeout=120) as client:
            admin = {"Authorization": "Bearer bench"}
            single = f"/api/og?title=Alone+{uuid.uuid4().hex[:8]}"
            started = time.perf_counter()
            await client.get(single)
            alone_ms = (time.perf_counter() - started) * 1000
            before = (await client.get("/admin/cache", headers=admin)).json()["counters"]["render"]
            url = f"/api/og?title=Together+{uuid.uuid4().hex[:8]}"
            started = time.perf_counter()
            responses = await asyncio.gather(*(client.get(url) for _ in range(50)))
            together_ms = (time.perf_counter() - started) * 1000
            after = (await client.get("/admin/cache", headers=admin)).json()["counters"]["render"]
            assert all(r.status_code == 200 for r in responses)
            lines.append(f"50 identical cold requests: {after - before} render(s), "
                         f"{together_ms:.0f} ms for all vs {alone_ms:.0f} ms for one alone")  # fmt: skip
            await client.get(CARD)  # make it a hit
            quiet = await asyncio.to_thread(_wrk, base + CARD, 3, (), True)
            stop = asyncio.Event()

            async def keep_rendering() -> int:
                count = 0
                while not stop.is_set():
                    await client.get(f"/api/og?title=Busy+{uuid.uuid4().hex}")
                    count += 1
                return count

            renderers = [asyncio.create_task(keep_rendering()) for _ in range(2)]
            busy = await asyncio.to_thread(_wrk, base + CARD, 3, (), True)
            stop.set()
            rendered = sum(await asyncio.gather(*renderers))
            lines.append(
                f"hit latency quiet: p50 {quiet.get('p50_ms', 0):.2f} ms, p99 {quiet.get('p99_ms', 0):.2f} ms; "
                f"while {rendered} renders ran: p50 {busy.get('p50_ms', 0):.2f} ms, "
                f"p99 {busy.get('p99_ms', 0):.2f} ms ({busy['rps']:.0f} hits/s)"
            )
    finally:
        server.terminate()
        server.wait(timeout=20)
    return lines


async def run(http: bool = True) -> list[Comparison]:
    if not http or not shutil.which("wrk"):
        print("(wrk not installed - apt-get install wrk - so the cache benchmark cannot run)")
        return []
    import msgspec

    from ogplatform.cards.params import parse_card_query
    from ogplatform.cards.rendering import init_worker, render_card
    from ogplatform.settings import PluginSettings

    init_worker(msgspec.msgpack.encode(PluginSettings()), ())
    with tempfile.NamedTemporaryFile(suffix=".png", delete=False) as bare:
        bare.write(render_card(parse_card_query(CARD.split("?", 1)[1].encode())))
    tiers = ["memory", "disk"] + (["redis"] if await _redis_answers() else [])
    results: list[Comparison] = []
    for tier in tiers:
        results += await asyncio.to_thread(hits_against_bare, tier, bare.name)
    for line in await cold_and_contention(bare.name):
        print(line)
    os.unlink(bare.name)
    for result in results:
        throughput = 1 / result.ratio
        print(f"  {result.subject}: {throughput:.0%} of the bare endpoint's throughput "
              f"(target >= 60%: {'met' if throughput >= 0.6 else 'NOT met'})")  # fmt: skip
    return results
