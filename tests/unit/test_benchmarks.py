"""The benchmark harness still runs (tiny sizes: speed is measured by `make bench`, not here)."""

from __future__ import annotations

from benchmarks import frame
from benchmarks.__main__ import BENCHMARKS, main


async def test_frame_benchmark_runs_and_reports_ratios():
    results = await frame.run(ops=20, rounds=2)
    assert [r.subject for r in results] == [
        "ogplatform GET /healthz (access log on)",
        "ogplatform GET /healthz (access log off)",
    ]
    for result in results:
        assert result.subject_us > 0
        assert result.baseline_us > 0
        assert "ratio" in result.report()


def test_unknown_benchmark_names_the_known_ones(capsys):
    assert main(["nope"]) == 2
    assert ", ".join(BENCHMARKS) in capsys.readouterr().out


async def test_ratelimit_benchmark_runs_in_process():
    from benchmarks import ratelimit

    results = await ratelimit.run(ops=20, rounds=2, http=False)
    assert results[0].subject == "GET with limiter (memory)"
    assert all(r.ratio > 0 for r in results)
