"""The background tasks (Django's tasks API; the worker is ``manage.py db_worker``, see docs/operations.md)."""

from django.tasks import task

from . import deliveries


@task
def send_deliveries(delivery_ids):
    """消息发送: one attempt at each delivery; a failed one is rescheduled by ``deliveries.attempt``."""
    return {str(pk): deliveries.attempt(pk) for pk in delivery_ids}
