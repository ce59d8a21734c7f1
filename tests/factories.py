"""Small builders for the rows tests need; every argument has a plain default."""

from django.utils import timezone

from links.models import Campaign, Link
from tracker.client_ip import parse_ip
from tracker.derivation import derive_click_figures
from tracker.models import Click
from tracker.recording import click_facts, record_click


def make_campaign(name="wesser-recrutement.fr"):
    campaign, _ = Campaign.objects.get_or_create(name=name)
    return campaign


def make_link(
    email="john@company.com",
    campaign="wesser-recrutement.fr",
    icp="CEO",
    first_name="John",
    last_name="Doe",
    destination_url="https://example.com/offer",
    created_at=None,
    **extra,
):
    link = Link.objects.create(
        email=email,
        campaign=make_campaign(campaign),
        icp=icp,
        first_name=first_name,
        last_name=last_name,
        destination_url=destination_url,
        **extra,
    )
    if created_at is not None:  # auto_now_add ignores a value passed to create()
        Link.objects.filter(pk=link.pk).update(created_at=created_at)
        link.created_at = created_at
    return link


def make_click(link, clicked_at=None, verdict="human", reason="", ip="203.0.113.0", user_agent="", referer="", **extra):
    """Store a click with the given verdict through the one click writer, then run the worker's
    derivation pass, as a running worker would within a second: the link's counters and the
    rollup include it when this returns. `extra`: other Click columns to set, e.g. country="FR"
    (device columns are the worker's describe job)."""
    facts = click_facts(
        ip=parse_ip(ip or ""),
        user_agent=user_agent,
        referer=referer,
        sent_at=link.sent_at,
        clicked_at=clicked_at or timezone.now(),
    )
    record_click(link.pk, facts, known_verdict=(verdict, reason))
    click = Click.objects.filter(link_id=link.pk).latest("id")
    if extra:
        Click.objects.filter(pk=click.pk).update(**extra)
        click.refresh_from_db()
    derive_click_figures()
    return click
