"""Links as spreadsheets: the export every CSV uses (admin and /api/export.csv) and the import of
Clay's CSV in the admin."""

import csv

import tablib
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from import_export import fields, resources, results, widgets
from import_export.formats import base_formats

from links.icp import tidy_icp
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
    """The export's CSV columns: First Name,Last Name,Email,ICP,Campaign,Clicks,First Click,
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


class UnreadableFile(ValueError):
    """A file the import cannot read; its message says what to do."""


UTF8_BYTE_ORDER_MARK = b"\xef\xbb\xbf"
CSV_DELIMITERS = ";,\t"


def spreadsheet_text(data: bytes) -> str:
    """Return the text of a CSV file as spreadsheets save it: UTF-8 with a byte order mark (Excel's
    "CSV UTF-8"), plain UTF-8, or Windows-1252 (Excel's "CSV" on a French or other Western PC)."""
    if data.startswith(UTF8_BYTE_ORDER_MARK):
        return data[len(UTF8_BYTE_ORDER_MARK) :].decode("utf-8", errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        raise UnreadableFile(
            _('This file is neither UTF-8 nor Windows-1252 text. In Excel, save it as "CSV UTF-8" and import it again.')
        ) from None


class SpreadsheetCsv(base_formats.CSV):
    """CSV as people really have it: comma, semicolon (French Excel) or tab separated, in UTF-8
    with or without a byte order mark, or in Windows-1252. Read as bytes so that the encoding is
    worked out here, not assumed."""

    def is_binary(self):
        return True

    def get_read_mode(self):
        return "rb"

    def create_dataset(self, in_stream, **kwargs):
        text = spreadsheet_text(in_stream if isinstance(in_stream, bytes) else in_stream.encode("utf-8"))
        if not text.strip():
            raise UnreadableFile(_("This file is empty."))
        header = text.splitlines()[0]
        try:
            delimiter = csv.Sniffer().sniff(header, delimiters=CSV_DELIMITERS).delimiter
        except csv.Error:
            delimiter = ","
        try:
            return tablib.import_set(text, format="csv", delimiter=delimiter)
        except (csv.Error, tablib.InvalidDimensions) as error:
            raise UnreadableFile(
                _("This file is not a CSV table with the same number of columns on every line (%(error)s).")
                % {"error": error}
            ) from None


class OptionalTextWidget(widgets.CharWidget):
    """Stripped text; an empty cell is None, which the field then leaves alone (not given)."""

    def __init__(self):
        super().__init__(allow_blank=False)

    def clean(self, value, row=None, **kwargs):
        return super().clean(value.strip() if isinstance(value, str) else value, row, **kwargs) or None


class EmailWidget(widgets.CharWidget):
    """E-mails compare stripped and lower-cased, as the API stores them."""

    def clean(self, value, row=None, **kwargs):
        email = (super().clean(value, row, **kwargs) or "").strip().lower()
        if not email:
            raise ValueError(_("An e-mail address is required."))
        return email


class CampaignNameWidget(widgets.ForeignKeyWidget):
    """A campaign by its name, created on first use as the API does."""

    def __init__(self):
        super().__init__(Campaign, "name")

    def clean(self, value, row=None, **kwargs):
        name = str(value or "").strip()
        limit = Campaign._meta.get_field("name").max_length
        if len(name) > limit:
            raise ValueError(_("A campaign name has at most %(limit)d characters.") % {"limit": limit})
        return Campaign.objects.named([name])[name] if name else None


class ImportErrorForOperators(results.Error):
    """An import error as the admin shows it: the message, never Python's traceback (import-export
    prints it under errors that are not a row's)."""

    traceback = ""


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

    # Other spellings of the columns (compared lower-cased, "_" and "-" read as spaces): Clay's own
    # export and what people type.
    COLUMN_ALIASES = {
        "first_name": ("first name", "firstname", "prénom", "prenom"),
        "last_name": ("last name", "lastname", "nom"),
        "email": ("email", "e mail", "mail", "email address", "work email"),
        "ICP": ("icp",),
        "campaign": ("campaign", "campagne", "campaign name"),
        "destination_url": ("destination url", "full url", "url", "destination"),
    }

    class Meta:
        model = Link
        fields = import_order = ("first_name", "last_name", "email", "icp", "campaign", "destination_url")
        import_id_fields = ("email", "campaign", "destination_url")
        clean_model_instances = True
        skip_unchanged = True
        report_skipped = True

    def get_error_result_class(self):
        return ImportErrorForOperators

    def before_import(self, dataset, **kwargs):
        """Read Clay's export headers (First Name, Full URL...) as our columns, refuse a file without
        the columns that name a link, and spell every ICP of the file as it is (or will be) stored:
        one query for the whole file."""
        column_by_alias = {alias: column for column, aliases in self.COLUMN_ALIASES.items() for alias in aliases}
        headers = [str(header or "") for header in dataset.headers or []]
        dataset.headers = [
            column_by_alias.get(" ".join(header.replace("_", " ").replace("-", " ").split()).casefold(), header)
            for header in headers
        ]
        missing = [column for column in self._meta.import_id_fields if column not in dataset.headers]
        if missing:
            raise ValueError(
                _(
                    "This file has no %(missing)s column. Link Tracker needs email, campaign and destination_url "
                    "(or Clay's Email, Campaign and Full URL); the file's columns are: %(headers)s."
                )
                % {"missing": ", ".join(missing), "headers": ", ".join(headers) or _("none")}
            )
        if "ICP" in dataset.headers:
            labels = [tidy_icp(str(label)) for label in dataset["ICP"] if label]
            self.icp_spellings = Link.objects.icp_spellings([label for label in labels if label])
        return super().before_import(dataset, **kwargs)

    def before_save_instance(self, instance, row, **kwargs):
        if instance.icp:
            label = tidy_icp(instance.icp)
            instance.icp = getattr(self, "icp_spellings", {}).get(label, label)
        return super().before_save_instance(instance, row, **kwargs)

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
