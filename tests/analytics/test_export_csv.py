"""GET /api/export.csv: the filtered links as the export's CSV columns, streamed."""

import tracemalloc
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from analytics.export import export_filename
from links.models import Campaign, Link
from tests.factories import make_click, make_link

pytestmark = pytest.mark.django_db

URL = "/api/export.csv"
HEADER = "First Name,Last Name,Email,ICP,Campaign,Clicks,First Click,Last Click,Status"
PARIS = ZoneInfo("Europe/Paris")


def csv_text(response):
    assert response.status_code == 200, response.content
    return b"".join(response.streaming_content).decode("utf-8")


def test_the_export_has_the_seeds_columns_dates_and_statuses(api, settings):
    """Exact bytes: BOM, CRLF, MM/DD/YYYY HH:MM in TIME_ZONE, ICP empty when not defined,
    accents intact, a formula-like name neutralised."""
    settings.TIME_ZONE = "Europe/Paris"
    created = datetime(2025, 11, 14, 8, 0, tzinfo=PARIS)
    john = make_link(
        first_name="John",
        last_name="Doe",
        email="john@company.com",
        icp="CEO",
        campaign="wesser-recrutement.fr",
        created_at=created + timedelta(minutes=3),
    )
    make_click(john, clicked_at=datetime(2025, 11, 14, 10, 30, tzinfo=PARIS))
    make_click(john, clicked_at=datetime(2025, 11, 14, 12, 0, tzinfo=PARIS))
    make_click(john, clicked_at=datetime(2025, 11, 14, 14, 20, tzinfo=PARIS))
    make_click(john, clicked_at=datetime(2025, 11, 14, 15, 0, tzinfo=PARIS), verdict="scanner")
    helene = make_link(
        first_name="Hélène",
        last_name="Français",
        email="helene@startup.io",
        icp=None,
        campaign="aura.camp",
        created_at=created + timedelta(minutes=2),
    )
    make_click(helene, verdict="preview")
    make_link(
        first_name='=HYPERLINK("http://evil.example","Click")',
        last_name="@SUM(A1)",
        email="-attack@company.com",
        icp="+CTO",
        campaign="aura.camp",
        created_at=created + timedelta(minutes=1),
    )

    response = api.get(URL)

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert b"".join(response.streaming_content) == (
        "\ufeff" + HEADER + "\r\n"
        "John,Doe,john@company.com,CEO,wesser-recrutement.fr,3,11/14/2025 10:30,11/14/2025 14:20,Clicked\r\n"
        "Hélène,Français,helene@startup.io,,aura.camp,0,,,Scanner only\r\n"
        '"\'=HYPERLINK(""http://evil.example"",""Click"")",\'@SUM(A1),\'-attack@company.com,\'+CTO,aura.camp,0,,,Not clicked\r\n'
    ).encode("utf-8")


@pytest.mark.parametrize(
    "payload",
    ["=1+1", "+1", "-1", "@A1", "\tx", "\rx"],
    ids=["equals", "plus", "minus", "at", "tab", "carriage return"],
)
def test_every_formula_trigger_is_neutralised(api, payload):
    """OWASP: a cell starting with = + - @ tab or CR gets a leading single quote."""
    make_link(first_name=payload, last_name="Doe")

    line = csv_text(api.get(URL)).split("\r\n")[1]

    quoted = payload.startswith("\r")  # the csv module quotes a field holding CR, not one holding a tab
    assert line.startswith(f'"\'{payload}",Doe,' if quoted else f"'{payload},Doe,")


def test_the_export_honours_the_links_filters(api):
    """range, campaign, icp, status and search filter the rows like the links list."""
    now = timezone.now()
    clicked = make_link(email="ceo@aura.camp", icp="CEO", campaign="aura.camp")
    make_click(clicked)
    make_link(email="none@aura.camp", icp=None, campaign="aura.camp")
    make_link(email="old@wesser.fr", campaign="wesser-recrutement.fr", created_at=now - timedelta(days=90))

    def exported(**filters):
        return [line.split(",")[2] for line in csv_text(api.get(URL, filters)).split("\r\n")[1:-1]]

    assert exported(campaign="aura.camp", status="clicked") == ["ceo@aura.camp"]
    assert exported(icp="Non défini") == ["none@aura.camp"]
    assert sorted(exported(range="30d")) == ["ceo@aura.camp", "none@aura.camp"]
    assert exported(search="wesser") == ["old@wesser.fr"]
    assert exported(campaign="unknown") == []


def test_an_unknown_range_is_refused_naming_the_allowed_values(api):
    """400 in JSON, as in the links list."""
    response = api.get(URL, {"range": "1y"})

    assert response.status_code == 400
    assert response.json() == {"range": ["Select a valid range: one of 24h, 7d, 30d, all."]}


def test_the_file_name_says_campaign_range_and_day(api, time_machine):
    """links-<campaign or all-campaigns>-<range>-<YYYY-MM-DD>.csv."""
    time_machine.move_to(datetime(2026, 11, 24, 10, 0, tzinfo=ZoneInfo("UTC")))
    make_link(campaign="aura.camp")

    assert api.get(URL)["Content-Disposition"] == 'attachment; filename="links-all-campaigns-all-2026-11-24.csv"'
    assert api.get(URL, {"campaign": "aura.camp", "range": "7d"})["Content-Disposition"] == (
        'attachment; filename="links-aura.camp-7d-2026-11-24.csv"'
    )


def test_the_file_name_keeps_only_safe_characters(api):
    """A campaign name with quotes, slashes or accents cannot break the header or the path."""
    assert export_filename('a/"b" é\r\nc', "all", datetime(2026, 11, 24)) == "links-a-b-c-all-2026-11-24.csv"
    assert export_filename("../..", "24h", datetime(2026, 11, 24)) == "links-all-campaigns-24h-2026-11-24.csv"


def test_anonymous_users_get_401(anonymous_api):
    """Token or session required."""
    response = anonymous_api.get(URL)

    assert response.status_code == 401
    assert response.json() == {"detail": "Authentication credentials were not provided."}


def test_a_spreadsheets_accept_header_does_not_turn_into_406(api):
    """Accept: text/csv is answered with the CSV."""
    response = api.get(URL, HTTP_ACCEPT="text/csv")

    assert csv_text(response) == "\ufeff" + HEADER + "\r\n"


def test_a_logged_in_operator_can_export_from_the_dashboard(client, operator):
    """The dashboard's export button uses the session."""
    client.force_login(operator)
    make_link()

    assert csv_text(client.get(URL)).count("\r\n") == 2


@pytest.mark.parametrize("count", [3, 30])
def test_the_number_of_queries_does_not_grow_with_the_rows(api, count, django_assert_max_num_queries):
    """One query for the rows (plus authentication), for 3 links as for 30."""
    for number in range(count):
        make_click(make_link(email=f"p{number}@company.com"))

    with django_assert_max_num_queries(2):
        text = csv_text(api.get(URL))

    assert text.count("\r\n") == count + 1


def exported_lines_and_memory_peak(api, links):
    """Export after adding `links` prospects; return (CSV lines, tracemalloc's peak while streaming)."""
    campaign, _ = Campaign.objects.get_or_create(name="aura.camp")
    start = Link.objects.count()
    Link.objects.bulk_create(
        Link(
            email=f"prospect{n}@company.com",
            first_name="Prénom",
            last_name=f"Nom{n}",
            icp="CEO",
            campaign=campaign,
            destination_url="https://aura.camp/demo",
        )
        for n in range(start, start + links)
    )
    response = api.get(URL)
    tracemalloc.start()
    lines = sum(chunk.count(b"\r\n") for chunk in response.streaming_content)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return lines, peak


def test_memory_does_not_grow_with_the_number_of_links(api):
    """Streamed in chunks of 2,000 rows: 40,000 links take the memory of 4,000 (bench/ measures
    100,000 links)."""
    small_lines, small_peak = exported_lines_and_memory_peak(api, 4_000)
    large_lines, large_peak = exported_lines_and_memory_peak(api, 36_000)

    assert (small_lines, large_lines) == (4_001, 40_001)
    assert large_peak < small_peak * 1.25, f"peak {small_peak / 1e6:.2f} MB, then {large_peak / 1e6:.2f} MB"


def test_the_export_takes_the_search_of_the_links_list(api):
    """?search=doe exports the links whose name or e-mail contains every word, like GET /api/links/."""
    make_link(email="john@company.com", first_name="John", last_name="Doe")
    make_link(email="jane@startup.io", first_name="Jane", last_name="Smith")
    make_link(email="doe.family@home.fr", first_name="Marc", last_name="Petit")
    lines = csv_text(api.get("/api/export.csv", {"search": "doe"})).split("\r\n")[1:-1]
    assert sorted(line.split(",")[2] for line in lines) == ["doe.family@home.fr", "john@company.com"]
    listed = api.get("/api/links/", {"search": "doe"}).json()["results"]
    assert sorted(link["email"] for link in listed) == ["doe.family@home.fr", "john@company.com"]
    assert csv_text(api.get("/api/export.csv", {"search": "john doe"})).count("\r\n") == 2
