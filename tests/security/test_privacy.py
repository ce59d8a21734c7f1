"""Privacy: stored IPs are anonymised by default; `forget_prospect` erases a prospect everywhere."""

from io import StringIO

import pytest
from django.core.management import call_command

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


def test_the_admin_action_forgets_the_selected_prospects_everywhere(admin_client):
    """Selecting one of a prospect's links forgets all of them, in every campaign, with their clicks."""
    selected = make_link(email="John.Doe@company.com", campaign="aura.camp")
    make_click(make_link(email="john.doe@COMPANY.com", campaign="wesser-recrutement.fr"))
    kept = make_link(email="jane@company.com")

    response = admin_client.post(
        "/admin/links/link/",
        {
            "action": "forget_prospects",
            "_selected_action": [selected.pk],
        },
        follow=True,
    )

    assert response.status_code == 200
    assert "Forgot 1 prospect(s): deleted 2 link(s) and 1 click(s)." in response.content.decode()
    assert list(Link.objects.values_list("pk", flat=True)) == [kept.pk]
    assert Click.objects.count() == 0
