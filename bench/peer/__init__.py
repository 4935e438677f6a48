"""The honest peer of bench/http_vs_peer.py: FastAPI + uvicorn + a raw asyncpg pool."""
