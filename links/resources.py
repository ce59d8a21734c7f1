"""Links as spreadsheets: the export every CSV uses (admin and /api/export.csv) and the import of
Clay's CSV in the admin."""

from django.core.exceptions import ValidationError
from django.utils import timezone
from import_export import fields, resources, widgets

from links.models import Campaign, Link, validate_destination_url

# A text cell starting with one of these is run as a formula by Excel, LibreOffice and Sheets.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def neutralise_formula(value):
    """Return `value` safe to open in a spreadsheet: text that starts like a formula gets a leading
    single quote (OWASP's advice against CSV injection), so a prospect named "=HYPERLINK(...)" is
    shown, not run."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def spreadsheet_time(value):
    """Return `value` as MM/DD/YYYY HH:MM in the configured time zone, "" for never."""
    return timezone.localtime(value).strftime("%m/%d/%Y %H:%M") if value else ""


class SpreadsheetTimeWidget(widgets.Widget):
    """A time as a spreadsheet shows it (see spreadsheet_time)."""

    def render(self, value, obj=None, **kwargs):
        return spreadsheet_time(value)


class LinkExportResource(resources.ModelResource):
    """The seed's CSV columns: First Name,Last Name,Email,ICP,Campaign,Clicks,First Click,
    Last Click,Status. Clicks are all-time human clicks; ICP is empty when not defined."""

    first_name = fields.Field("first_name", "First Name")
    last_name = fields.Field("last_name", "Last Name")
    email = fields.Field("email", "Email")
    icp = fields.Field("icp", "ICP")
    campaign = fields.Field("campaign__name", "Campaign")
    click_count = fields.Field("click_count", "Clicks")
    first_click = fields.Field("first_click", "First Click", SpreadsheetTimeWidget())
    last_click = fields.Field("last_click", "Last Click", SpreadsheetTimeWidget())
    status = fields.Field("status", "Status")

    class Meta:
        model = Link
        fields = export_order = (
            "first_name",
            "last_name",
            "email",
            "icp",
            "campaign",
            "click_count",
            "first_click",
            "last_click",
            "status",
        )

    def get_queryset(self):
        return Link.objects.with_click_summary().select_related("campaign")

    def export_field(self, field, instance, **kwargs):
        return neutralise_formula(super().export_field(field, instance, **kwargs))

    def export_rows(self, links):
        """Yield the cells of each link of `links` (a queryset annotated by with_click_summary()),
        the same as export_resource() gives: each field's widget renders its attribute, formulas
        neutralised. Read as plain values in chunks (no model object per link, one query), for the
        100,000-link downloads of /api/export.csv."""
        export_fields = self.get_export_fields()
        renderers = [field.widget.render for field in export_fields]
        values = links.values_list(*(field.attribute for field in export_fields))
        for row in values.iterator(chunk_size=2000):
            yield [neutralise_formula(render(value)) for render, value in zip(renderers, row)]


class OptionalTextWidget(widgets.CharWidget):
    """Stripped text; an empty cell is None, which the field then leaves alone (not given)."""

    def __init__(self):
        super().__init__(allow_blank=False)

    def clean(self, value, row=None, **kwargs):
        return super().clean(value.strip() if isinstance(value, str) else value, row, **kwargs) or None


class EmailWidget(widgets.CharWidget):
    """E-mails compare stripped and lower-cased, as the API stores them."""

    def clean(self, value, row=None, **kwargs):
        return super().clean(value, row, **kwargs).strip().lower()


class CampaignNameWidget(widgets.ForeignKeyWidget):
    """A campaign by its name, created on first use as the API does."""

    def __init__(self):
        super().__init__(Campaign, "name")

    def clean(self, value, row=None, **kwargs):
        name = (value or "").strip()
        return Campaign.objects.named([name])[name] if name else None


class LinkImportResource(resources.ModelResource):
    """Clay's CSV: first_name,last_name,email,ICP,campaign,destination_url. A row for an existing
    (email, campaign, destination_url) updates the prospect fields it fills; the token never
    changes; new rows get a fresh token."""

    first_name = fields.Field("first_name", "first_name", OptionalTextWidget(), saves_null_values=False)
    last_name = fields.Field("last_name", "last_name", OptionalTextWidget(), saves_null_values=False)
    email = fields.Field("email", "email", EmailWidget())
    icp = fields.Field("icp", "ICP", OptionalTextWidget(), saves_null_values=False)
    campaign = fields.Field("campaign", "campaign", CampaignNameWidget())
    destination_url = fields.Field("destination_url", "destination_url", OptionalTextWidget())

    class Meta:
        model = Link
        fields = import_order = ("first_name", "last_name", "email", "icp", "campaign", "destination_url")
        import_id_fields = ("email", "campaign", "destination_url")
        clean_model_instances = True
        skip_unchanged = True
        report_skipped = True

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        errors = dict(import_validation_errors or {})
        if instance.campaign_id is None:
            errors["campaign"] = ValidationError("A campaign name is required.")
        if "destination_url" not in errors:
            try:
                validate_destination_url(instance.destination_url or "")
            except ValidationError as error:
                errors["destination_url"] = error
        super().validate_instance(instance, errors, validate_unique)
