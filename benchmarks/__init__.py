"""ogplatform's benchmark harness: ``python -m benchmarks [NAME ...]``.

Every benchmark measures ogplatform against a baseline run in the same process, interleaved
round by round, and reports the ratio: these machines are noisy, ratios travel better than
absolute times.
"""
