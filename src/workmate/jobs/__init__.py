"""Durable background jobs: `task` declares one, `defer` queues one in the caller's
transaction (see workmate.jobs.core for the rules)."""

from workmate.jobs.core import TASKS, UnknownTask, defer, load_tasks, task

__all__ = ["TASKS", "UnknownTask", "defer", "load_tasks", "task"]
