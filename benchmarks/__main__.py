"""Run benchmarks: ``python -m benchmarks`` (all) or ``python -m benchmarks frame``."""

from __future__ import annotations

import asyncio
import importlib
import sys

BENCHMARKS = ["frame", "ratelimit", "cards", "cache"]


def main(argv: list[str]) -> int:
    names = argv or BENCHMARKS
    unknown = sorted(set(names) - set(BENCHMARKS))
    if unknown:
        print(f"unknown benchmark(s): {', '.join(unknown)}; known: {', '.join(BENCHMARKS)}")
        return 2
    for name in names:
        module = importlib.import_module(f"benchmarks.{name}")
        print(f"== {name}: {(module.__doc__ or '').strip().splitlines()[0]}")
        for comparison in asyncio.run(module.run()):
            print(comparison.report())
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
