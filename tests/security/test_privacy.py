"""Privacy: stored IPs are anonymised by default; `forget_prospect` erases a prospect everywhere."""

from io import StringIO

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command

from links.forgetting import prospect_forgotten
from links.models import Campaign, Link
from tests.factories import make_click, make_link
from tracker.models import Click

pytestmark = pytest.mark.django_db

CHROME = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"
)


def forget_prospect(email):
    out = StringIO()
    call_command("forget_prospect", email, stdout=out)
    return out.getvalue()


def test_a_click_stores_an_ipv4_address_cut_to_its_24_network(client):
    """By default the last byte of an IPv4 address is dropped before the click is stored."""
    link = make_link()

    client.get(f"/t/{link.token}", REMOTE_ADDR="198.51.100.77", HTTP_USER_AGENT=CHROME)

    assert list(Click.objects.values_list("ip", flat=True)) == ["198.51.100.0"]


def test_a_click_stores_an_ipv6_address_cut_to_its_48_network(client):
    """By default an IPv6 address keeps only its first 48 bits."""
    link = make_link()

    client.get(f"/t/{link.token}", REMOTE_ADDR="2001:db8:85a3:8d3:1319:8a2e:370:7348", HTTP_USER_AGENT=CHROME)

    assert list(Click.objects.values_list("ip", flat=True)) == ["2001:db8:85a3::"]


def test_forget_prospect_deletes_their_links_and_clicks_in_every_campaign():
    """The e-mail is matched case-insensitively across campaigns; the output says what went."""
    first = make_link(email="John.Doe@Company.com", campaign="aura.camp")
    second = make_link(email="john.doe@company.com", campaign="wesser-recrutement.fr")
    make_click(first)
    make_click(first, verdict="scanner")
    make_click(second)
    other = make_link(email="jane@company.com", campaign="aura.camp")
    make_click(other)

    output = forget_prospect("JOHN.DOE@company.com")

    assert output == (
        "Deleted 2 links and 3 clicks for JOHN.DOE@company.com (campaigns: aura.camp, wesser-recrutement.fr).\n"
    )
    assert list(Link.objects.values_list("email", flat=True)) == ["jane@company.com"]
    assert list(Click.objects.values_list("link_id", flat=True)) == [other.id]
    assert Campaign.objects.count() == 2


def test_forget_prospect_says_when_nothing_matched():
    """An unknown e-mail deletes nothing and says so."""
    make_link(email="jane@company.com")

    assert forget_prospect("nobody@company.com") == "Deleted 0 links and 0 clicks for nobody@company.com.\n"
    assert Link.objects.count() == 1


def test_full_addresses_are_stored_only_when_anonymisation_is_turned_off(client, settings):
    """ANONYMIZE_IPS=false keeps the whole address (an operator's explicit choice)."""
    settings.ANONYMIZE_IPS = False
    link = make_link()

    client.get(f"/t/{link.token}", REMOTE_ADDR="198.51.100.77", HTTP_USER_AGENT=CHROME)

    assert list(Click.objects.values_list("ip", flat=True)) == ["198.51.100.77"]


def test_the_admin_action_asks_for_confirmation_then_forgets_the_prospects_everywhere(admin_client):
    """Like Django's delete: a confirmation page listing what goes; "Yes" forgets every link of
    the selected e-mails, in every campaign, with their clicks."""
    selected = make_link(email="John.Doe@company.com", campaign="aura.camp")
    make_click(make_link(email="john.doe@COMPANY.com", campaign="wesser-recrutement.fr"))
    kept = make_link(email="jane@company.com")
    chosen = {"action": "forget_prospects", "_selected_action": [selected.pk]}

    confirmation = admin_client.post("/admin/links/link/", chosen)

    assert confirmation.status_code == 200
    page = confirmation.content.decode()
    assert "Forget this prospect?" in page and "<strong>john.doe@company.com</strong>" in page
    assert page.lower().count("john doe &lt;john.doe@company.com&gt; · ") == 2
    assert Link.objects.count() == 3

    response = admin_client.post("/admin/links/link/", {**chosen, "post": "yes"}, follow=True)

    assert response.status_code == 200
    assert "Forgot 1 prospect(s): deleted 2 link(s) and 1 click(s)." in response.content.decode()
    assert list(Link.objects.values_list("pk", flat=True)) == [kept.pk]
    assert Click.objects.count() == 0


def test_forgetting_removes_the_admin_history_that_names_the_prospect(admin_client, admin_user):
    """The change log's entries about their links (name or e-mail in them) go; others stay."""
    link = make_link(email="john.doe@company.com", first_name="John", last_name="Doe")
    other = make_link(email="jane@company.com", first_name="Jane", last_name="Smith")
    link_type = ContentType.objects.get_for_model(Link)
    for row in (link, other):
        LogEntry.objects.log_actions(admin_user.pk, [row], CHANGE, change_message="edited")
    LogEntry.objects.create(
        user=admin_user, action_flag=CHANGE, object_repr="import", change_message="imported john.doe@company.com"
    )

    output = forget_prospect("john.doe@company.com")

    assert output.endswith("Also deleted: 2 admin log entries.\n")
    assert list(LogEntry.objects.values_list("content_type", "object_id")) == [(link_type.pk, str(other.pk))]


def test_forgetting_removes_uploaded_import_files_that_contain_the_prospect(settings, tmp_path):
    """An import previewed but never confirmed leaves its file in IMPORT_FOLDER: it goes too."""
    settings.IMPORT_FOLDER = tmp_path
    (tmp_path / "import-a").write_text("first_name,email\nJohn,John.Doe@company.com\n")
    (tmp_path / "import-b").write_text("first_name,email\nJane,jane@company.com\n")

    output = forget_prospect("john.doe@company.com")

    assert output == "Deleted 0 links and 0 clicks for john.doe@company.com.\nAlso deleted: 1 import files.\n"
    assert sorted(path.name for path in tmp_path.iterdir()) == ["import-b"]


def test_other_apps_forget_their_data_through_the_signal():
    """Receivers of prospect_forgotten get the e-mails and add their counts to the report."""
    seen = []

    def forget_events(emails, report, **kwargs):
        seen.append(emails)
        report.other["events"] = 3

    prospect_forgotten.connect(forget_events)
    try:
        output = forget_prospect("John.Doe@company.com")
    finally:
        prospect_forgotten.disconnect(forget_events)

    assert seen == [{"john.doe@company.com"}]
    assert output.endswith("Also deleted: 3 events.\n")
