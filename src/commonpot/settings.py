"""Instance settings, read from COMMONPOT_* environment variables (and an optional .env file)."""

from __future__ import annotations

import secrets
from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Everything an operator can set; every field is documented in the README."""

    model_config = SettingsConfigDict(env_prefix="COMMONPOT_", env_file=".env", extra="ignore")

    database_url: str = Field(
        default="sqlite:///./commonpot.db",
        description="SQLAlchemy URL: sqlite:///path.db or postgresql+psycopg://user@host/db",
    )
    secret_key: str = Field(
        default="",
        description="Signs sessions and CSRF tokens; generated into data_dir when empty",
    )
    host: str = "127.0.0.1"
    port: int = 8000
    base_url: str = Field(default="", description="Public URL, e.g. https://food.example.org")
    data_dir: Path = Field(default=Path("./var"), description="Uploads, keys and other files")
    instance_name: str = Field(default="commonpot", description="Names this instance (ledger)")
    ledger_key_file: Path | None = Field(
        default=None, description="Ed25519 private key (PEM) signing ledger checkpoints"
    )
    session_days: int = 14
    login_max_failures: int = 5
    login_window_minutes: int = 15
    max_upload_mb: int = 20
    map_tiles_url: str = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
    redis_url: str = Field(default="", description="redis://... enables the cross-process bus")
    event_bus: str = Field(default="memory", description="memory, postgres or redis")
    default_locale: str = "en"
    default_timezone: str = Field(
        default="UTC",
        description="IANA time zone of communities that have not chosen one (Europe/London)",
    )
    jobs_backend: str = Field(
        default="", description="sqlite (data folder), redis or memory; empty: redis if redis_url"
    )
    jobs_queue: str = Field(default="commonpot", description="Queue name shared by workers")
    jobs_embedded: int = Field(
        default=0, description="Consumer threads inside each web process (serve sets 1)"
    )
    jobs_compute_processes: int = Field(
        default=1, description="Processes for CPU-heavy job work (solvers) per job runtime"
    )
    smtp_url: str = Field(default="", description="smtp://[user:pass@]host:port (smtps:// for TLS)")
    mail_from: str = Field(default="commonpot <noreply@localhost>", description="From: of e-mails")
    federation_allow_http: bool = Field(
        default=False, description="Let federation reach http:// and loopback peers (tests, LANs)"
    )
    mqtt_url: str = Field(
        default="", description="mqtt://host:1883: `serve` also stores biotumbler readings"
    )

    def resolved_secret_key(self) -> str:
        """Return the secret key, creating and keeping one in data_dir when none is set."""
        if self.secret_key:
            return self.secret_key
        path = self.data_dir / "secret_key"
        if path.exists():
            return path.read_text().strip()
        self.data_dir.mkdir(parents=True, exist_ok=True)
        key = secrets.token_urlsafe(48)
        path.write_text(key)
        path.chmod(0o600)
        return key

    @property
    def is_sqlite(self) -> bool:
        """True when the database is the embedded SQLite file."""
        return self.database_url.startswith("sqlite")


@lru_cache
def get_settings() -> Settings:
    """Settings from the environment, read once per process."""
    return Settings()
