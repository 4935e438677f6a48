"""Settings, read once from environment variables (see the README's table)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

# web/dist of this checkout (the package is installed editable from the repository).
DEFAULT_WEB_DIST = Path(__file__).resolve().parents[2] / "web" / "dist"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=None, extra="ignore", case_sensitive=False)

    # Empty means "embedded": a PostgreSQL shipped by the pgserver wheel, started on demand.
    database_url: str = Field(default="", validation_alias="DATABASE_URL")
    data_dir: Path = Field(default=Path(".catachess"), validation_alias="CATACHESS_DATA_DIR")
    redis_url: str = Field(default="", validation_alias="REDIS_URL")
    db_pool_size: int = Field(default=10, ge=1, le=200, validation_alias="DB_POOL_SIZE")
    # Seconds a request waits for a pooled connection before answering 503 + Retry-After.
    db_pool_timeout: float = Field(default=10.0, gt=0, le=300, validation_alias="DB_POOL_TIMEOUT")
    # Accounts: who may register (invite: only addresses with a pending invitation).
    registration: Literal["open", "invite", "closed"] = Field(
        default="open", validation_alias="REGISTRATION"
    )
    # Login rate limits (docs/security.md): attempts per window, per account and per address.
    login_window: int = Field(default=900, ge=1, le=86_400, validation_alias="LOGIN_WINDOW")
    login_max_per_account: int = Field(default=10, ge=1, validation_alias="LOGIN_MAX_PER_ACCOUNT")
    login_max_per_address: int = Field(default=100, ge=1, validation_alias="LOGIN_MAX_PER_ADDRESS")
    # Request bodies of every route (PGN routes: 2 x PGN_MAX_BYTES + 64 KiB).
    max_body_bytes: int = Field(default=1024 * 1024, ge=1024, validation_alias="MAX_BODY_BYTES")
    # CPU-bound PGN work: worker processes per server process, and heavy requests per user.
    heavy_workers: int = Field(default=2, ge=1, le=64, validation_alias="HEAVY_WORKERS")
    heavy_per_user: int = Field(default=2, ge=1, le=64, validation_alias="HEAVY_PER_USER")
    export_max_per_user: int = Field(default=20, ge=1, validation_alias="EXPORT_MAX_PER_USER")

    # Argon2id cost; lower only for tests or tiny machines (OWASP minimum: 19 MiB, t=2).
    argon2_memory_kib: int = Field(default=65_536, ge=1024, validation_alias="ARGON2_MEMORY_KIB")
    argon2_time_cost: int = Field(default=3, ge=1, validation_alias="ARGON2_TIME_COST")
    # Argon2 runs at a time per process (each holds ARGON2_MEMORY_KIB), and how many more
    # may wait before a request is refused with 503.
    argon2_max_concurrent: int = Field(
        default=2, ge=1, le=64, validation_alias="ARGON2_MAX_CONCURRENT"
    )
    argon2_max_waiting: int = Field(default=32, ge=0, validation_alias="ARGON2_MAX_WAITING")
    token_ttl_days: int = Field(default=30, ge=1, validation_alias="TOKEN_TTL_DAYS")
    idempotency_ttl: int = Field(default=86_400, ge=60, validation_alias="IDEMPOTENCY_TTL")
    idempotency_auto_key: bool = Field(default=False, validation_alias="IDEMPOTENCY_AUTO_KEY")
    idempotency_auto_window: int = Field(
        default=10, ge=1, le=3600, validation_alias="IDEMPOTENCY_AUTO_WINDOW"
    )
    trash_retention_days: int = Field(default=30, ge=1, validation_alias="TRASH_RETENTION_DAYS")
    # Chapter versions older than this are compacted away (None: keep every version).
    history_retention_days: int | None = Field(
        default=None, ge=1, validation_alias="HISTORY_RETENTION_DAYS"
    )
    maintenance_interval: int = Field(default=60, ge=0, validation_alias="MAINTENANCE_INTERVAL")

    # PGN limits (catachess.pgn.limits.PgnLimits explains each default): an oversized tree
    # is paid for on every read and edit, so they bound what one request may cost.
    pgn_max_bytes: int = Field(default=5 * 1024 * 1024, ge=1024, validation_alias="PGN_MAX_BYTES")
    pgn_max_games: int = Field(default=640, ge=1, validation_alias="PGN_MAX_GAMES")
    pgn_max_nodes_per_chapter: int = Field(
        default=10_000, ge=10, validation_alias="PGN_MAX_NODES_PER_CHAPTER"
    )
    pgn_max_variation_depth: int = Field(
        default=64, ge=1, validation_alias="PGN_MAX_VARIATION_DEPTH"
    )
    pgn_max_comment_length: int = Field(
        default=20_000, ge=1, validation_alias="PGN_MAX_COMMENT_LENGTH"
    )
    pgn_max_shapes_per_move: int = Field(
        default=128, ge=1, validation_alias="PGN_MAX_SHAPES_PER_MOVE"
    )
    # What one folder duplicate may copy (docs/security.md): it copies in one transaction,
    # so its cost is bounded like an import's (ten full studies).
    duplicate_max_nodes: int = Field(default=640, ge=1, validation_alias="DUPLICATE_MAX_NODES")
    duplicate_max_chapters: int = Field(
        default=640, ge=1, validation_alias="DUPLICATE_MAX_CHAPTERS"
    )
    export_retention_hours: int = Field(default=24, ge=1, validation_alias="EXPORT_RETENTION_HOURS")
    # Event delivery to subscribers (docs/events.md).
    event_relay: bool = Field(default=True, validation_alias="EVENT_RELAY")
    event_relay_interval: float = Field(
        default=1.0, gt=0, le=3600, validation_alias="EVENT_RELAY_INTERVAL"
    )
    event_relay_batch: int = Field(
        default=100, ge=1, le=10_000, validation_alias="EVENT_RELAY_BATCH"
    )
    event_max_attempts: int = Field(default=8, ge=1, le=100, validation_alias="EVENT_MAX_ATTEMPTS")
    event_retry_base: float = Field(default=2.0, gt=0, le=3600, validation_alias="EVENT_RETRY_BASE")
    event_delivery_lease: int = Field(
        default=60, ge=1, le=86_400, validation_alias="EVENT_DELIVERY_LEASE"
    )
    event_delivery_retention_days: int = Field(
        default=7, ge=1, validation_alias="EVENT_DELIVERY_RETENTION_DAYS"
    )

    # Live streams (docs/live.md).
    live_heartbeat: float = Field(default=15.0, gt=0, le=3600, validation_alias="LIVE_HEARTBEAT")
    live_queue_size: int = Field(default=1000, ge=1, le=100_000, validation_alias="LIVE_QUEUE_SIZE")
    live_catchup_limit: int = Field(
        default=1000, ge=1, le=100_000, validation_alias="LIVE_CATCHUP_LIMIT"
    )
    live_poll_interval: float = Field(
        default=5.0, gt=0, le=3600, validation_alias="LIVE_POLL_INTERVAL"
    )
    # Presence: a page that sent no heartbeat for this long is no longer listed.
    presence_ttl: float = Field(default=20.0, gt=0, le=3600, validation_alias="PRESENCE_TTL")
    # The built web app (`npm run build` in web/); served at / when it exists.
    web_dist: Path = Field(default=DEFAULT_WEB_DIST, validation_alias="CATACHESS_WEB_DIST")

    log_level: str = Field(default="INFO", validation_alias="LOG_LEVEL")
    log_format: str = Field(default="auto", validation_alias="LOG_FORMAT")
    # Test-only fault injection; never set in production (see docs/idempotency.md).
    fault_hooks: bool = Field(default=False, validation_alias="CATACHESS_FAULT_HOOKS")

    @field_validator("log_format")
    @classmethod
    def _known_log_format(cls, value: str) -> str:
        if value not in {"auto", "json", "console"}:
            raise ValueError(f"must be one of auto, json, console (got {value!r})")
        return value

    @field_validator("log_level")
    @classmethod
    def _known_log_level(cls, value: str) -> str:
        value = value.upper()
        if value not in {"DEBUG", "INFO", "WARNING", "ERROR"}:
            raise ValueError(f"must be one of DEBUG, INFO, WARNING, ERROR (got {value!r})")
        return value

    @field_validator("database_url")
    @classmethod
    def _asyncpg_url(cls, value: str) -> str:
        if not value:
            return value
        for prefix in ("postgresql://", "postgres://"):
            if value.startswith(prefix):
                value = "postgresql+asyncpg://" + value[len(prefix) :]
        if not value.startswith("postgresql+asyncpg://"):
            raise ValueError("must be a postgresql:// URL")
        try:
            make_url(value)
        except ArgumentError:
            # Messages never repeat the URL: it may contain a password.
            raise ValueError("is not a valid URL") from None
        except ValueError as error:
            raise ValueError(f"is not a valid URL ({error})") from None
        return value


@lru_cache
def get_settings() -> Settings:
    return Settings()
