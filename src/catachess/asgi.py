"""ASGI entry point for uvicorn and other servers: `uvicorn catachess.asgi:app`."""

from catachess.app import create_app

app = create_app()
