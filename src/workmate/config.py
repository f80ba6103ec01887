"""Typed settings, read from the environment (prefix WORKMATE_)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


def default_data_dir() -> Path:
    """Where the embedded database and uploaded files live unless configured."""
    import os

    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "workmate"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="WORKMATE_", extra="ignore")

    # A plain libpq URL (postgresql://user:pw@host:5432/db or postgresql://user@/db?host=/dir).
    # Unset: Workmate starts its own PostgreSQL below data_dir.
    database_url: str | None = None
    data_dir: Path = Field(default_factory=default_data_dir)
    pool_size: int = 10
    # A pooled connection idle this long is pinged before use (dropped ones are replaced).
    pool_ping_idle_seconds: float = Field(default=1.0, ge=0)
    # Session cookie lifetime rules (web UI).
    session_idle_minutes: int = 60
    session_absolute_hours: int = 12
    # Cookies: unset = Secure unless served over plain http on a loopback address (the local
    # default); true = always Secure; false = never (see workmate.headers).
    cookie_secure: bool | None = None
    # Login rate limits: failures allowed per window before 429.
    login_max_failures_per_account: int = 5
    login_max_failures_per_address: int = 20
    login_window_seconds: int = 900
    # Stored files: unset keeps them in data_dir/files; `s3://bucket/prefix` puts them in an
    # S3-compatible object store (endpoint and keys below, or the usual AWS_* variables).
    storage_url: str | None = None
    s3_endpoint_url: str | None = None
    s3_region: str | None = None
    s3_access_key_id: str | None = None
    s3_secret_access_key: str | None = None
    # The orphan sweep leaves files this young alone: they may belong to an upload in flight.
    storage_orphan_grace_hours: int = Field(default=24, ge=1)
    # Backups: pg_dump/pg_restore of the server's version are found in the embedded wheel,
    # /usr/lib/postgresql/N/bin or PATH unless this folder is given. A periodic backup job
    # writes to backup_dir (unset: no periodic backups) and keeps backup_generations archives.
    pg_bin_dir: Path | None = None
    backup_dir: Path | None = None
    backup_generations: int = Field(default=7, ge=1)
    # Uploads.
    upload_max_bytes: int = 20 * 1024 * 1024
    # Any other request body (JSON, web forms): larger is 413 (see workmate.limits).
    body_max_bytes: int = 2 * 1024 * 1024
    # Uploads one employee may stream at once (all app processes together; 429 beyond), and
    # the time one upload's body may take to arrive (408 after).
    uploads_per_user: int = Field(default=3, ge=1)
    upload_body_seconds: float = Field(default=300.0, gt=0)
    # Received e-invoices (purchases): worker processes that check them by the official rules,
    # the time one check may take, the memory one worker may use, the largest invoice XML.
    einvoice_workers: int = 1
    einvoice_timeout_seconds: float = 60.0
    einvoice_worker_memory_bytes: int = 2 * 1024 * 1024 * 1024
    einvoice_max_xml_bytes: int = 20 * 1024 * 1024
    # Time tracking: a timer running longer than this is "stale".
    stale_timer_hours: int = 12
    # Background jobs (procrastinate, rows in PostgreSQL). `workmate serve` runs a worker in
    # each app process unless dedicated `workmate worker` processes do the work.
    jobs_in_process: bool = True
    # Extra modules that declare tasks (comma-separated), imported by every worker.
    job_modules: str = ""
    job_concurrency: int = Field(default=2, ge=1, le=64)
    # On SIGTERM a worker lets running jobs finish this long, then gives them back.
    job_graceful_seconds: float = 20.0
    job_heartbeat_seconds: float = 10.0
    # A worker silent this long is dead; its running jobs are queued again.
    job_stalled_seconds: float = 30.0
    job_stalled_check_seconds: float = 15.0
    # Workers are woken by NOTIFY; polling is the fallback.
    job_poll_seconds: float = 5.0
    # Logs of `workmate serve`/`worker`: one JSON object per line (with the request id), or
    # plain text for reading in a terminal.
    log_format: Literal["json", "text"] = "json"
    log_level: str = "INFO"
    # On SIGTERM the server stops accepting and lets requests in flight finish this long.
    shutdown_grace_seconds: float = Field(default=20.0, gt=0)
    # Outgoing mail (the outbox): smtp://user:pw@host:587 (STARTTLS when offered),
    # smtp+starttls://... (STARTTLS required), smtps://host:465 (implicit TLS). Unset: messages
    # stay queued in the outbox ("no mail server configured") and can be sent later.
    smtp_url: str | None = None
    # A CA bundle to trust for the mail server's certificate (a company's own CA); unset:
    # the system's trusted CAs.
    smtp_ca_file: str | None = None
    smtp_timeout_seconds: float = 30.0
    # A refused or broken delivery is tried again after retry * 2**(attempt-1) seconds, up to
    # mail_max_attempts tries; then the message is `failed`, visible in the outbox.
    mail_retry_seconds: float = 60.0
    mail_max_attempts: int = Field(default=5, ge=1, le=20)
    # The address employees reach Workmate by (https://workmate.firma.de), for links that
    # leave the browser (invitations). Unset: the address the admin's request came to.
    public_url: str | None = None

    @property
    def files_dir(self) -> Path:
        return self.data_dir / "files"

    @property
    def pgdata_dir(self) -> Path:
        return self.data_dir / "pgdata"


@lru_cache
def get_settings() -> Settings:
    return Settings()
