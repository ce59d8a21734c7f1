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
