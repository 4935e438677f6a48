"""Run every benchmark: `python -m bench` (or `make bench`)."""

import asyncio
import importlib

SCRIPTS = [
    "bench.http_vs_peer",
    "bench.relay_process",
    "bench.relay_backlog",
    "bench.pgn_import",
    "bench.tree_listing",
    "bench.trash",
    "bench.pgn",
    "bench.events",
    "bench.idempotency",
    "bench.search",
    "bench.observability",
    "bench.history",
    "bench.web_study",
    "bench.live",
]

for name in SCRIPTS:
    print(f"== {name}")
    asyncio.run(importlib.import_module(name).main())
