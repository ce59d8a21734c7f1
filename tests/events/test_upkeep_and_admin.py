"""Lost deliveries are sent again, old log rows pruned; the admin shows the secret once and can
send a delivery again."""

import datetime
import re

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from events.jobs import find_hot_leads, prune_delivery_log, resume_lost_deliveries
from events.models import Delivery, DeliveryAttempt, DeliveryStatus, WebhookEndpoint
from tests.events.conftest import make_endpoint, run_queued_tasks, settled_time
from tests.factories import make_click, make_link

pytestmark = pytest.mark.django_db


def test_a_delivery_left_sending_by_a_dead_attempt_is_sent_again(receiver):
    """At least once: an attempt that died midway (worker killed) leaves SENDING; after five
    minutes the job queues it again."""
    make_endpoint(receiver.url())
    make_click(make_link(), clicked_at=settled_time())
    find_hot_leads()
    Delivery.objects.update(status=DeliveryStatus.SENDING, claimed_at=timezone.now() - datetime.timedelta(minutes=1))
    assert resume_lost_deliveries() == 0  # may still be running
    Delivery.objects.update(claimed_at=timezone.now() - datetime.timedelta(minutes=6))
    assert resume_lost_deliveries() == 1
    assert "delivered" in run_queued_tasks()
    assert len(receiver.requests) == 1


def test_old_delivery_attempts_are_pruned(receiver, settings):
    settings.WEBHOOK_LOG_DAYS = 30
    make_endpoint(receiver.url())
    make_click(make_link(), clicked_at=settled_time())
    find_hot_leads()
    run_queued_tasks()
    assert prune_delivery_log() == 0
    long_ago = timezone.now() - datetime.timedelta(days=31)
    DeliveryAttempt.objects.update(attempted_at=long_ago)
    Delivery.objects.update(created_at=long_ago)
    assert prune_delivery_log() == 1
    assert (DeliveryAttempt.objects.count(), Delivery.objects.count()) == (0, 0)


def test_results_of_delivery_tasks_are_pruned_with_the_log(receiver, settings):
    """The task queue keeps a result row for every delivery task it ran: those finished before
    WEBHOOK_LOG_DAYS go with the log, the others stay."""
    settings.WEBHOOK_LOG_DAYS = 30
    make_endpoint(receiver.url())
    for number in range(2):
        make_click(make_link(email=f"prospect{number}@company.com"), clicked_at=settled_time())
    find_hot_leads()
    run_queued_tasks()
    old, recent = DBTaskResult.objects.finished().order_by("finished_at")
    assert prune_delivery_log() == 0
    DBTaskResult.objects.filter(pk=old.pk).update(finished_at=timezone.now() - datetime.timedelta(days=31))

    assert prune_delivery_log() == 1
    assert list(DBTaskResult.objects.values_list("pk", flat=True)) == [recent.pk]


def test_the_admin_shows_the_secret_once_on_creation(admin_client):
    response = admin_client.post(
        "/admin/events/webhookendpoint/add/",
        {"url": "https://example.com/hook", "kind": "json", "sends_first_click": "on", "enabled": "on"},
        follow=True,
    )
    endpoint = WebhookEndpoint.objects.get()
    assert f"(shown only now, copy it): {endpoint.secret}" in response.content.decode()
    change_page = admin_client.get(f"/admin/events/webhookendpoint/{endpoint.pk}/change/").content.decode()
    assert endpoint.secret not in change_page


def test_the_admin_refuses_a_receiver_url_that_is_not_http(admin_client):
    response = admin_client.post(
        "/admin/events/webhookendpoint/add/", {"url": "javascript:alert(1)", "kind": "json", "enabled": "on"}
    )
    assert response.status_code == 200
    assert WebhookEndpoint.objects.count() == 0


def test_send_again_queues_a_new_delivery_of_the_same_event(receiver, admin_client):
    make_endpoint(receiver.url())
    receiver.answer(400)
    make_click(make_link(), clicked_at=settled_time())
    find_hot_leads()
    assert run_queued_tasks() == ["failed"]
    failed = Delivery.objects.get()
    response = admin_client.post(
        "/admin/events/delivery/", {"action": "send_again", "_selected_action": [failed.pk]}, follow=True
    )
    assert "1 delivery queued again." in response.content.decode()
    assert run_queued_tasks() == ["delivered"]
    first, second = receiver.requests
    assert first.headers["webhook-id"] == second.headers["webhook-id"]
    log = admin_client.get(f"/admin/events/delivery/{failed.pk}/change/").content.decode()
    assert re.search(r"receiver says no", log)


def test_the_admin_sends_a_test_event_and_says_how_each_endpoint_answered(receiver, admin_client):
    """The endpoints list's action posts a made-up link.first_click to each selected endpoint now,
    outside the delivery log, and says per endpoint whether the receiver took it."""
    working, failing = make_endpoint(receiver.url("/ok")), make_endpoint(receiver.url("/no"))
    receiver.answer(204)
    receiver.answer(500)

    response = admin_client.post(
        "/admin/events/webhookendpoint/",
        {"action": "send_test_event", "_selected_action": [working.pk, failing.pk]},
        follow=True,
    )

    assert response.status_code == 200
    shown = [(message.level_tag, str(message)) for message in response.context["messages"]]
    assert [level for level, _ in shown] == ["success", "error"]
    assert re.fullmatch(rf"Endpoint #{working.pk}: Delivered: HTTP 204 in \d+ ms\.", shown[0][1])
    assert re.fullmatch(rf"Endpoint #{failing.pk}: Not delivered: HTTP 500 in \d+ ms\. receiver says no", shown[1][1])
    assert [(request.path, request.json["type"]) for request in receiver.requests] == [
        ("/ok", "link.first_click"),
        ("/no", "link.first_click"),
    ]
    assert receiver.requests[0].json["data"]["campaign"] == "webhook-test"
    assert not Delivery.objects.exists()


FRENCH_BROWSER = "fr-FR,fr;q=0.9"


def test_a_french_operator_reads_the_hot_lead_admin_in_french(receiver, admin_client):
    """The endpoint's form, the deliveries' columns and a delivery's log of attempts use the
    operator's language, like the rest of the admin."""
    endpoint = make_endpoint(receiver.url())
    receiver.answer(400)
    make_click(make_link(), clicked_at=settled_time())
    find_hot_leads()
    run_queued_tasks()
    delivery = Delivery.objects.get()

    def page(path):
        return admin_client.get(path, HTTP_ACCEPT_LANGUAGE=FRENCH_BROWSER).content.decode()

    endpoint_page = page(f"/admin/events/webhookendpoint/{endpoint.pk}/change/")
    for label in ("Type", "Campagnes", "Raison de la désactivation"):
        assert f">{label}\N{NO-BREAK SPACE}:</label>" in endpoint_page, label
    assert ">Activé</label>" in endpoint_page  # a checkbox's label, without a colon
    for label in ("Échecs consécutifs", "Dernière tentative", "Créé le"):
        assert f"<label>{label}\N{NO-BREAK SPACE}:</label>" in endpoint_page, label
    assert "Points de terminaison webhook" in endpoint_page  # the sidebar

    deliveries = page("/admin/events/delivery/")
    for header in ("Point de terminaison webhook", "Statut", "Tentatives", "Prochaine tentative"):
        assert f">{header}</a>" in deliveries, header
    assert ">Identifiant de l’événement</span>" in deliveries  # a computed column, not sortable
    assert ">Échec<" in deliveries  # the delivery's status, translated

    log = page(f"/admin/events/delivery/{delivery.pk}/change/")
    for header in ("Tenté le", "Statut HTTP", "Durée (ms)", "Réponse (extrait)", "Erreur"):
        assert header in log, header
    assert "Tentatives d’envoi" in log
    assert f"{delivery.event} → point de terminaison #{endpoint.pk}\N{NO-BREAK SPACE}: Échec" in log  # the title

    endpoints = page("/admin/events/webhookendpoint/")
    assert ">Envoyer un événement de test maintenant</option>" in endpoints

    tasks = page("/admin/django_tasks_database/dbtaskresult/")  # the delivery tasks' queue
    assert "Tâches en arrière-plan" in tasks and "Résultats de tâches" in tasks
    for header in ("Statut", "Mise en file le", "Priorité"):
        assert f">{header}</a>" in tasks, header
    assert ">Tâche</span>" in tasks and "Task name" not in tasks  # a computed column, not sortable
    result = page(f"/admin/django_tasks_database/dbtaskresult/{DBTaskResult.objects.get().pk}/change/")
    for label in ("Trace d’appels", "À lancer après"):
        assert f"<label>{label}\N{NO-BREAK SPACE}:</label>" in result, label
    assert ">Réussie<" in tasks or ">Échec<" in tasks or ">Prête<" in tasks  # a task's status
