"""Webhook endpoints (the signing secret shown once, when created; a "send a test event" action) and
the delivery log with a "send again" action."""

from django.contrib import admin, messages
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from events.delivery import outcome_summary, send_test_event
from events.models import Delivery, DeliveryAttempt, DeliveryStatus, WebhookEndpoint


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(admin.ModelAdmin):
    list_display = ["id", "kind", "masked_url", "sends_first_click", "sends_every_click", "enabled", "disabled_reason"]
    list_filter = ["kind", "enabled"]
    filter_horizontal = ["campaigns"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    actions = ["send_test_event"]
    readonly_fields = ["consecutive_failures", "last_attempt_at", "created_at"]
    fields = [
        "url",
        "kind",
        "sends_first_click",
        "sends_every_click",
        "campaigns",
        "clay_auth",
        "enabled",
        "disabled_reason",
        "consecutive_failures",
        "last_attempt_at",
        "created_at",
    ]

    @admin.display(description=gettext_lazy("URL"))
    def masked_url(self, endpoint):
        return endpoint.masked_url

    @admin.action(description=gettext_lazy("Send a test event now"), permissions=["change"])
    def send_test_event(self, request, queryset):
        """A made-up link.first_click to each selected endpoint, answered on the page: the check that
        a receiver set up in the admin takes our requests (as `manage.py webhook test`)."""
        for endpoint in queryset.order_by("pk"):
            outcome = send_test_event(endpoint)
            self.message_user(
                request,
                _("Endpoint #%(id)d: %(outcome)s") % {"id": endpoint.pk, "outcome": outcome_summary(outcome)},
                messages.SUCCESS if outcome.succeeded else messages.ERROR,
            )

    def save_model(self, request, obj, form, change):
        if change and "enabled" in form.changed_data and obj.enabled:
            obj.consecutive_failures = 0  # re-enabled: count afresh
            obj.disabled_reason = ""
        super().save_model(request, obj, form, change)
        if not change:
            messages.warning(
                request,
                _("Signing secret of endpoint #%(id)d (shown only now, copy it): %(secret)s")
                % {"id": obj.pk, "secret": obj.secret},
            )


class DeliveryAttemptInline(admin.TabularInline):
    model = DeliveryAttempt
    extra = 0
    can_delete = False
    fields = readonly_fields = ["attempted_at", "status_code", "duration_ms", "response_excerpt", "error"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = [
        "id",
        "event_type",
        "event_identifier",
        "prospect",
        "endpoint",
        "status",
        "attempts",
        "next_attempt_at",
    ]
    list_filter = ["status", "event__type", "endpoint"]
    search_fields = ["event__event_id", "event__link__email"]
    list_select_related = ["event__link", "endpoint"]
    readonly_fields = ["event", "endpoint", "status", "attempts", "next_attempt_at", "created_at", "payload"]
    fields = readonly_fields
    inlines = [DeliveryAttemptInline]
    actions = ["send_again"]

    def has_add_permission(self, request):
        return False

    @admin.display(description=gettext_lazy("event"))
    def event_type(self, delivery):
        return delivery.event.type

    @admin.display(description=gettext_lazy("event id"))
    def event_identifier(self, delivery):  # named event_id, the admin would take it for the event's column
        return delivery.event.event_id

    @admin.display(description=gettext_lazy("prospect"))
    def prospect(self, delivery):
        return delivery.event.link.email

    @admin.display(description=gettext_lazy("data sent"))
    def payload(self, delivery):
        return delivery.event.data

    @admin.action(description=gettext_lazy("Send again now"))
    def send_again(self, request, queryset):
        from events.tasks import deliver

        now = timezone.now()
        count = 0
        for delivery in queryset.exclude(status=DeliveryStatus.SENDING).select_related("event", "endpoint"):
            again = Delivery.objects.create(event=delivery.event, endpoint=delivery.endpoint, next_attempt_at=now)
            deliver.enqueue(again.pk)
            count += 1
        message = ngettext("%(count)d delivery queued again.", "%(count)d deliveries queued again.", count)
        self.message_user(request, message % {"count": count})
