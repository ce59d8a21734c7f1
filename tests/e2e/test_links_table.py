"""The links table: the API's rows for the filters, searchable and sortable."""

import pytest

from tests.e2e.conftest import log_in, wait_for_figures

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def table_rows(page):
    return page.eval_on_selector_all(
        "#links-table tbody tr", "rows => rows.map(row => [...row.cells].slice(0, 8).map(cell => cell.textContent))"
    )


def as_shown(iso_time):
    """The table shows times like the CSV: MM/DD/YYYY HH:MM in the server's time zone."""
    return f"{iso_time[5:7]}/{iso_time[8:10]}/{iso_time[:4]} {iso_time[11:16]}" if iso_time else ""


def test_the_links_table_lists_the_filtered_links_with_their_clicks(page, live_server, api, prospects):
    """The table's rows are GET /api/links/ for the filters: name, e-mail, ICP, campaign, clicks, status."""
    log_in(page, live_server, "/dashboard/?campaign=aura.camp")
    wait_for_figures(page, "range=all&campaign=aura.camp")
    rows = table_rows(page)
    expected = [
        [
            f"{link['first_name']} {link['last_name']}",
            link["email"],
            link["icp"] or "Non défini",
            link["campaign"],
            str(link["clicks"]),
            as_shown(link["first_click"]),
            as_shown(link["last_click"]),
            link["status"],
        ]
        for link in api.get("/api/links/", {"campaign": "aura.camp"}).json()["results"]
    ]
    assert [row[:5] + row[7:] for row in rows] == [
        ["John Doe", "john@company.com", "CEO", "aura.camp", "3", "Clicked"],
        ["Marc Petit", "marc@bank.com", "CEO", "aura.camp", "0", "Scanner only"],
        ["Jane Smith", "jane@startup.io", "CTO", "aura.camp", "1", "Clicked"],
        ["Paul Martin", "paul@industrie.fr", "Non défini", "aura.camp", "2", "Clicked"],
    ]
    assert rows == expected


def test_searching_narrows_the_table_to_matching_prospects(page, live_server, prospects):
    """Typing part of a name or an e-mail keeps only the matching links."""
    log_in(page, live_server)
    wait_for_figures(page)
    page.fill("#link-search", "startup.io")
    page.wait_for_function("() => document.querySelectorAll('#links-table tbody tr').length === 1")
    assert table_rows(page)[0][:2] == ["Jane Smith", "jane@startup.io"]
    assert (
        page.locator("#links-count").inner_text() == "1 link sent or clicked since the first link matching “startup.io”"
    )
    assert page.locator("#page-info").inner_text() == "Page 1 of 1"


def test_clicking_the_clicks_header_sorts_by_clicks(page, live_server, prospects):
    """The Clicks header sorts most clicks first, then least first on a second click."""
    log_in(page, live_server)
    wait_for_figures(page)
    page.click("button.sort[data-ordering=clicks]")
    page.wait_for_function("() => document.querySelector('#links-table th[aria-sort=descending]') !== null")
    assert [row[4] for row in table_rows(page)] == ["3", "2", "1", "1", "0", "0"]
    page.click("button.sort[data-ordering=clicks]")
    page.wait_for_function("() => document.querySelector('#links-table th[aria-sort=ascending]') !== null")
    assert [row[4] for row in table_rows(page)] == ["0", "0", "1", "1", "2", "3"]
