"""System checks: `manage.py check` fails when the derived click figures would stop moving or be
written twice, and warns when the worker lags far behind."""

import importlib
import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from tests.factories import make_click, make_link
from tracker.checks import check_derived_click_figures, check_worker_derives_click_figures
from tracker.models import ClickDerivation
from tracker.recording import click_facts, record_click

pytestmark = pytest.mark.django_db

OLD_COUNTER_TRIGGERS = importlib.import_module("tracker.migrations.0003_click_counter_triggers")


def problem_ids(problems):
    return [problem.id for problem in problems]


def test_a_healthy_installation_passes_the_checks_with_the_database():
    """manage.py check --database default: migrated, no trigger, worker up to date."""
    out = io.StringIO()
    call_command("check", "--database", "default", stdout=out)
    assert "System check identified no issues" in out.getvalue()


def test_a_worker_without_the_derivation_job_is_an_error(settings):
    """Without derive_click_figures in WORKER_JOBS the counters would never move."""
    settings.WORKER_JOBS = ["events.delivery.deliver_events"]
    problems = check_worker_derives_click_figures()
    assert problem_ids(problems) == ["tracker.E001"]
    assert "tracker.derivation.derive_click_figures" in problems[0].msg


def test_click_triggers_left_from_an_older_schema_are_an_error():
    """Triggers would write the counters on every click, beside the worker."""
    with connection.cursor() as cursor:
        for statement in OLD_COUNTER_TRIGGERS.CREATE[connection.vendor]:
            cursor.execute(statement)
    problems = check_derived_click_figures(databases=["default"])
    assert problem_ids(problems) == ["tracker.E003"]
    assert "click_counters_delete, click_counters_insert, click_counters_update" in problems[0].msg


def test_clicks_left_underived_for_long_are_a_warning():
    """A click stored 10 minutes after the last pass, no pass since: is the worker running?"""
    link = make_link()
    make_click(link)
    ClickDerivation.objects.update(figures_as_of=timezone.now() - timedelta(minutes=10))
    facts = click_facts(ip=None, user_agent="", referer="", sent_at=None, clicked_at=timezone.now())
    record_click(link.pk, facts, known_verdict=("human", ""))

    problems = check_derived_click_figures(databases=["default"])

    assert problem_ids(problems) == ["tracker.W001"]
    assert problems[0].msg.startswith("1 clicks are not in the link counters yet")
    assert problems[0].hint == "Is `manage.py worker` running?"


def test_a_fresh_backlog_is_no_warning():
    """A click the worker will derive within a second is no cause for alarm."""
    link = make_link()
    make_click(link)
    facts = click_facts(ip=None, user_agent="", referer="", sent_at=None, clicked_at=timezone.now())
    record_click(link.pk, facts, known_verdict=("human", ""))
    assert check_derived_click_figures(databases=["default"]) == []
