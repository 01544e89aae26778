"""Run benchmarks: ``python -m benchmarks`` (all) or ``python -m benchmarks frame``.

``--quick`` goes to the benchmarks that have a quick mode (``maps``: tiny sizes, one run).
"""

from __future__ import annotations

import asyncio
import importlib
import inspect
import sys

BENCHMARKS = ["frame", "ratelimit", "cards", "cache", "maps"]
FLAGS = {"--quick"}


def main(argv: list[str]) -> int:
    flags = {a for a in argv if a.startswith("--")}
    if flags - FLAGS:
        print(f"unknown option(s): {', '.join(sorted(flags - FLAGS))}; known: {', '.join(FLAGS)}")
        return 2
    names = [a for a in argv if not a.startswith("--")] or BENCHMARKS
    unknown = sorted(set(names) - set(BENCHMARKS))
    if unknown:
        print(f"unknown benchmark(s): {', '.join(unknown)}; known: {', '.join(BENCHMARKS)}")
        return 2
    for name in names:
        module = importlib.import_module(f"benchmarks.{name}")
        print(f"== {name}: {(module.__doc__ or '').strip().splitlines()[0]}")
        quick = "--quick" in flags and "quick" in inspect.signature(module.run).parameters
        for comparison in asyncio.run(module.run(quick=True) if quick else module.run()):
            print(comparison.report())
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
