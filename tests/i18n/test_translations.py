"""The French catalogue is complete and its compiled .mo (committed: CI has no msgfmt) matches it."""

import ast
import gettext
import re
from pathlib import Path

from django.conf import settings

LOCALE = Path(settings.BASE_DIR) / "locale"
FRENCH_PO = LOCALE / "fr" / "LC_MESSAGES" / "django.po"
FRENCH_MO = LOCALE / "fr" / "LC_MESSAGES" / "django.mo"


def po_entries(path):
    """Yield (flags, msgctxt or None, msgid, msgstr) for every entry of a .po file but its header.

    A plural entry yields one row per form: (msgid, msgstr[0]) then (msgid_plural, msgstr[n]) for
    every other form, each with the count that picks it (1 for the singular, 2 for the others in
    French), so every form is checked like a plain entry."""
    for block in path.read_text(encoding="utf-8").split("\n\n"):
        flags, fields, current = set(), {}, None
        for line in block.strip().splitlines():
            keyword = re.match(r"^(msgctxt|msgid|msgid_plural|msgstr(?:\[\d+\])?) (\".*\")$", line)
            if keyword:
                current = keyword.group(1)
                fields[current] = ast.literal_eval(keyword.group(2))
            elif line.startswith('"'):
                fields[current] += ast.literal_eval(line)
            elif line.startswith("#,"):
                flags |= {flag.strip() for flag in line[2:].split(",")}
            elif line.startswith("#~"):
                fields["obsolete"] = True
        if not fields.get("msgid") or fields.get("obsolete"):
            continue
        if "msgid_plural" in fields:
            forms = sorted(key for key in fields if key.startswith("msgstr["))
            assert forms == ["msgstr[0]", "msgstr[1]"], f"French has two plural forms: {fields['msgid']}"
            yield (
                flags,
                fields.get("msgctxt"),
                PluralForm(fields["msgid"], fields["msgid_plural"], 1),
                fields["msgstr[0]"],
            )
            yield (
                flags,
                fields.get("msgctxt"),
                PluralForm(fields["msgid_plural"], fields["msgid"], 2),
                fields["msgstr[1]"],
            )
        else:
            yield flags, fields.get("msgctxt"), fields["msgid"], fields["msgstr"]


class PluralForm(str):
    """One form of a plural entry: its English text, plus what ngettext needs to find it."""

    def __new__(cls, text, other, count):
        form = super().__new__(cls, text)
        form.singular, form.plural = (text, other) if count == 1 else (other, text)
        form.count = count
        return form


def compiled_translation(catalogue, context, msgid):
    """What the compiled catalogue answers for an entry, through ngettext for a plural form."""
    if isinstance(msgid, PluralForm):
        if context:
            return catalogue.npgettext(context, msgid.singular, msgid.plural, msgid.count)
        return catalogue.ngettext(msgid.singular, msgid.plural, msgid.count)
    return catalogue.pgettext(context, msgid) if context else catalogue.gettext(msgid)


def test_every_french_entry_is_translated_and_none_is_fuzzy():
    """A string left empty or marked fuzzy would show in English (or wrongly) on a French page."""
    entries = list(po_entries(FRENCH_PO))
    assert len(entries) > 100
    untranslated = [msgid for _, _, msgid, msgstr in entries if not msgstr.strip()]
    fuzzy = [msgid for flags, _, msgid, _ in entries if "fuzzy" in flags]
    assert untranslated == []
    assert fuzzy == []


def test_the_compiled_catalogue_matches_the_po_file():
    """django.mo says exactly what django.po says: run compilemessages after editing the .po."""
    with FRENCH_MO.open("rb") as compiled:
        catalogue = gettext.GNUTranslations(compiled)
    stale = []
    for _, context, msgid, msgstr in po_entries(FRENCH_PO):
        if compiled_translation(catalogue, context, msgid) != msgstr:
            stale.append(msgid)
    assert stale == []


def test_placeholders_survive_translation():
    """{name}-style and %(name)s placeholders of every entry appear in its French text."""
    broken = []
    for _, _, msgid, msgstr in po_entries(FRENCH_PO):
        placeholders = set(re.findall(r"\{\w+\}|%\(\w+\)s", msgid))
        if placeholders != set(re.findall(r"\{\w+\}|%\(\w+\)s", msgstr)):
            broken.append(msgid)
    assert broken == []
