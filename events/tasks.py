"""Background tasks (Django's Tasks API): one delivery attempt per task, so that a slow or
hanging receiver only ever holds its own task, for at most WEBHOOK_TIMEOUT_SECONDS."""

from django_tasks import task

from events.delivery import attempt_delivery


@task()
def deliver(delivery_id: int) -> str:
    """Make one attempt at delivery `delivery_id`; return what became of it."""
    return attempt_delivery(delivery_id)
