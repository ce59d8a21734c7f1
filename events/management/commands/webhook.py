"""Manage webhook endpoints from the shell: add (prints the signing secret last), list,
disable, test."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from events.delivery import outcome_summary, send_test_event
from events.models import Kind, WebhookEndpoint, validate_receiver_url
from links.models import Campaign

EVENT_CHOICES = {"first_click": "sends_first_click", "click": "sends_every_click"}


class Command(BaseCommand):
    help = gettext_lazy("Add, list, disable and test the webhook endpoints that receive hot-lead events.")

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True)
        add = actions.add_parser("add", help=_("Add an endpoint; its signing secret is printed on the last line."))
        add.add_argument("url", help=_("The receiver's http:// or https:// URL."))
        add.add_argument("--kind", choices=Kind.values, default=Kind.JSON)
        add.add_argument(
            "--event",
            action="append",
            choices=list(EVENT_CHOICES),
            dest="events",
            help=_(
                "first_click (the hot lead) and/or click (every human click). Default: first_click; "
                "for --kind json both."
            ),
        )
        add.add_argument("--campaign", action="append", dest="campaigns", help=_("Only this campaign (repeatable)."))
        add.add_argument("--clay-auth", default="", help=_("The x-clay-webhook-auth value of a Clay webhook source."))
        actions.add_parser("list", help=_("List the endpoints."))
        disable = actions.add_parser("disable", help=_("Disable an endpoint."))
        disable.add_argument("id", type=int)
        test = actions.add_parser("test", help=_("Send a sample link.first_click event now and show the answer."))
        test.add_argument("id", type=int)

    def handle(self, *args, action, **options):
        getattr(self, f"handle_{action}")(**options)

    def handle_add(self, url, kind, events, campaigns, clay_auth, **options):
        try:
            validate_receiver_url(url)
        except ValidationError:
            raise CommandError(_("The URL must be an absolute http:// or https:// URL, not %(url)r.") % {"url": url})
        events = set(events or (["first_click", "click"] if kind == Kind.JSON else ["first_click"]))
        names = campaigns or []
        found = {campaign.name: campaign for campaign in Campaign.objects.filter(name__in=names)}
        if missing := [name for name in names if name not in found]:
            raise CommandError(_("No campaign named %(names)s.") % {"names": ", ".join(map(repr, missing))})
        with transaction.atomic():
            endpoint = WebhookEndpoint.objects.create(
                url=url,
                kind=kind,
                sends_first_click="first_click" in events,
                sends_every_click="click" in events,
                clay_auth=clay_auth,
            )
            endpoint.campaigns.set(found.values())
        self.stdout.write(
            _("Added endpoint #%(id)d: %(description)s") % {"id": endpoint.pk, "description": describe(endpoint)}
        )
        self.stdout.write(_("Signing secret (shown only now):"))
        self.stdout.write(endpoint.secret)

    def handle_list(self, **options):
        endpoints = WebhookEndpoint.objects.prefetch_related("campaigns")
        if not endpoints:
            self.stdout.write(_("No webhook endpoint yet. Add one with: manage.py webhook add URL"))
        for endpoint in endpoints:
            self.stdout.write(f"#{endpoint.pk} {describe(endpoint)}")

    def handle_disable(self, id, **options):
        endpoint = self.endpoint(id)
        endpoint.enabled = False
        endpoint.disabled_reason = _("Disabled by manage.py webhook disable")
        endpoint.save(update_fields=["enabled", "disabled_reason"])
        self.stdout.write(_("Endpoint #%(id)d disabled.") % {"id": id})

    def handle_test(self, id, **options):
        outcome = send_test_event(self.endpoint(id))
        if not outcome.succeeded:
            raise CommandError(outcome_summary(outcome))
        self.stdout.write(outcome_summary(outcome))

    def endpoint(self, id):
        try:
            return WebhookEndpoint.objects.get(pk=id)
        except WebhookEndpoint.DoesNotExist:
            raise CommandError(_("No webhook endpoint #%(id)d.") % {"id": id}) from None


def describe(endpoint: WebhookEndpoint) -> str:
    campaigns = ", ".join(campaign.name for campaign in endpoint.campaigns.all()) or _("all campaigns")
    state = _("enabled") if endpoint.enabled else _("disabled: %(reason)s") % {"reason": endpoint.disabled_reason}
    events = ", ".join(endpoint.event_types) or _("no event")
    return f"{endpoint.kind} {endpoint.masked_url} [{events}] ({campaigns}) {state}"
