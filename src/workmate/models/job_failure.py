from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, CheckConstraint, Identity, Index, String, Text, func
from sqlalchemy.orm import Mapped, mapped_column

from workmate.models.base import Base


class JobFailure(Base):
    """One failed attempt of a background job and its error. procrastinate keeps only a job's
    status; this is what the jobs page shows as "why". No foreign key to procrastinate_jobs
    (not our table); pruned together with the jobs (workmate.jobs.maintenance)."""

    __tablename__ = "job_failures"
    __table_args__ = (
        CheckConstraint("attempt >= 1", name="attempt_positive"),
        Index("ix_job_failures_job_id", "job_id"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(always=True), primary_key=True)
    job_id: Mapped[int | None] = mapped_column(BigInteger)
    task_name: Mapped[str] = mapped_column(String(128))
    attempt: Mapped[int]
    # The last attempt: the job is now `failed` and waits for a person.
    final: Mapped[bool] = mapped_column(Boolean)
    error: Mapped[str] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(server_default=func.now())
