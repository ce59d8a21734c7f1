"""One spelling per ICP: labels that differ only in case or spacing ("ceo", "CEO", " CEO ") become
their most common spelling, so every chart, table and export counts them as one ICP; an index on
UPPER(icp) finds an ICP's stored spelling when a new link arrives."""

from django.db import migrations, models
from django.db.models import Count
from django.db.models.functions import Upper

from links.icp import most_common_spellings


def merge_icp_spellings(apps, schema_editor):
    Link = apps.get_model("links", "Link")
    stored = Link.objects.exclude(icp=None).values_list("icp").annotate(links=Count("pk")).order_by()
    for spelling, canonical in most_common_spellings(dict(stored)).items():
        if spelling != canonical:
            Link.objects.filter(icp=spelling).update(icp=canonical)


class Migration(migrations.Migration):
    dependencies = [("links", "0006_link_account")]

    operations = [
        migrations.RunPython(merge_icp_spellings, migrations.RunPython.noop),
        migrations.AddIndex(model_name="link", index=models.Index(Upper("icp"), name="link_icp_upper")),
    ]
