"""Small builders for the rows tests need; every argument has a plain default."""

from django.utils import timezone

from links.models import Campaign, Link
from tracker.models import Click


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
    """`extra`: other Click columns, e.g. country="FR" (device columns are the worker's job)."""
    return Click.objects.create(
        link=link,
        clicked_at=clicked_at or timezone.now(),
        verdict=verdict,
        reason=reason,
        ip=ip,
        user_agent=user_agent,
        referer=referer,
        **extra,
    )
