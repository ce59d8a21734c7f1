"""Spellings of one ICP that differ in the case of an accented letter ("Président", "président")
were stored apart on SQLite, whose UPPER() capitalises ASCII letters only, until the ICP lookup
took that into account: merge them into their most common spelling, as 0007 did for the others."""

import importlib

from django.db import migrations

merge_icp_spellings = importlib.import_module("links.migrations.0007_icp_spelling").merge_icp_spellings


class Migration(migrations.Migration):
    dependencies = [("links", "0011_drop_unread_link_indexes")]

    operations = [migrations.RunPython(merge_icp_spellings, migrations.RunPython.noop)]
