"""Deleting a link from the table asks first, then removes it and its clicks everywhere."""

import pytest

from links.models import Link
from tests.e2e.conftest import kpis, log_in, wait_for_figures
from tracker.models import Click

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_deleting_a_row_after_confirming_removes_it_and_lowers_the_counts(page, live_server, prospects):
    """Delete -> confirm dialog -> the row is gone, the link and its clicks too, and the figures drop."""
    john = prospects["john"]
    log_in(page, live_server)
    wait_for_figures(page)
    assert kpis(page)["links_sent"] == "6" and kpis(page)["total_clicks"] == "7"

    page.click(f"#links-table tr[data-link-id='{john.id}'] .delete-link")
    assert page.locator("#delete-dialog").is_visible()
    assert page.locator("#delete-name").inner_text() == "John Doe (john@company.com)"
    page.click("#confirm-delete")

    page.wait_for_function("() => document.querySelector('[data-kpi=links_sent]').textContent === '5'")
    assert page.locator(f"#links-table tr[data-link-id='{john.id}']").count() == 0
    assert kpis(page)["total_clicks"] == "4"
    assert page.locator("#links-table tbody tr").count() == 5
    assert not Link.objects.filter(pk=john.pk).exists()
    assert not Click.objects.filter(link_id=john.pk).exists()


def test_cancelling_the_dialog_keeps_the_link(page, live_server, prospects):
    """Cancel closes the dialog and nothing is deleted."""
    jane = prospects["jane"]
    log_in(page, live_server)
    wait_for_figures(page)
    page.click(f"#links-table tr[data-link-id='{jane.id}'] .delete-link")
    page.click("#delete-dialog button[value=cancel]")
    assert not page.locator("#delete-dialog").is_visible()
    page.wait_for_timeout(300)
    assert Link.objects.filter(pk=jane.pk).exists()
    assert page.locator(f"#links-table tr[data-link-id='{jane.id}']").count() == 1
    assert kpis(page)["links_sent"] == "6"
