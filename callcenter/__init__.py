"""Call-center HR and operations: project package and core app (org model, roles, policies)."""

from callcenter.celery import app as celery_app

__all__ = ("celery_app",)
