"""The Export CSV button downloads the links of the current filters."""

import pytest

from tests.e2e.conftest import log_in, wait_for_figures

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_the_export_button_downloads_the_filtered_csv(page, live_server, api, prospects):
    """With aura.camp over 7 days selected, the file is /api/export.csv for those filters."""
    log_in(page, live_server, "/dashboard/?range=7d&campaign=aura.camp")
    wait_for_figures(page, "range=7d&campaign=aura.camp")
    with page.expect_download() as download_info:
        page.click("#export-csv")
    download = download_info.value
    content = download.path().read_bytes().decode("utf-8-sig")
    lines = content.split("\r\n")[:-1]

    assert lines[0] == "First Name,Last Name,Email,ICP,Campaign,Clicks,First Click,Last Click,Status"
    assert sorted(line.split(",")[2] for line in lines[1:]) == ["jane@startup.io", "john@company.com", "marc@bank.com"]
    expected = b"".join(api.get("/api/export.csv", {"range": "7d", "campaign": "aura.camp"}).streaming_content)
    assert content == expected.decode("utf-8-sig")
    assert download.suggested_filename.endswith(".csv")


def test_the_export_carries_the_search_of_the_table(page, live_server, api, prospects):
    """Searching "startup.io" narrows the table to Jane, and Export CSV downloads Jane only."""
    log_in(page, live_server, "/dashboard/?range=7d")
    wait_for_figures(page, "range=7d")
    page.fill("#link-search", "startup.io")
    page.wait_for_function("() => document.querySelectorAll('#links-table tbody tr').length === 1")
    assert page.get_attribute("#export-csv", "href") == "/api/export.csv?range=7d&search=startup.io"
    with page.expect_download() as download_info:
        page.click("#export-csv")
    lines = download_info.value.path().read_bytes().decode("utf-8-sig").split("\r\n")[:-1]
    assert [line.split(",")[2] for line in lines[1:]] == ["jane@startup.io"]
    expected = b"".join(api.get("/api/export.csv", {"range": "7d", "search": "startup.io"}).streaming_content)
    assert "\r\n".join(lines) + "\r\n" == expected.decode("utf-8-sig")
