"""One spelling per ICP: labels that differ only in case or spacing ("ceo", "CEO", " CEO ") become
their most common spelling, so every chart, table and export counts them as one ICP."""

from django.db import migrations
from django.db.models import Count

from links.icp import most_common_spellings


def merge_icp_spellings(apps, schema_editor):
    Link = apps.get_model("links", "Link")
    stored = Link.objects.exclude(icp=None).values_list("icp").annotate(links=Count("pk")).order_by()
    for spelling, canonical in most_common_spellings(dict(stored)).items():
        if spelling != canonical:
            Link.objects.filter(icp=spelling).update(icp=canonical)


class Migration(migrations.Migration):
    dependencies = [("links", "0004_link_click_counters")]

    operations = [migrations.RunPython(merge_icp_spellings, migrations.RunPython.noop)]
