"""ICP labels: one ICP per label, whatever its case or spacing ("ceo", "CEO", " CEO " are one).

Labels are made one on write: a new label takes the spelling of the ICP already stored that it
matches case-insensitively, so charts, tables, the CSV and the API group them without any work at
read time. Among labels that are new together (one bulk request, one imported file) and among
variants already stored (the data migration), the most common spelling wins."""

from collections import Counter
from collections.abc import Iterable, Mapping
from itertools import product

# A label with more accented letters than this is looked up in two forms only (all of them in
# capitals, all in small letters) rather than in every mix: 2 ** 6 forms at most.
MIXED_CASE_LETTERS_LOOKED_UP = 6


def tidy_icp(label: str | None) -> str | None:
    """Return `label` stripped, inner runs of spaces made one; None for an empty label."""
    if label is None:
        return None
    return " ".join(label.split()) or None


def icp_key(label: str) -> str:
    """What two spellings of one ICP share."""
    return " ".join(label.split()).casefold()


def database_upper_forms(label: str) -> list[str]:
    """The forms the database's UPPER() may give a stored spelling of `label`'s ICP, for an indexed
    lookup: ASCII letters in capitals, every other letter in either case. SQLite's UPPER() leaves
    letters beyond ASCII as they are ("Président" -> "PRéSIDENT"), and so does PostgreSQL's under
    the C locale; under a UTF-8 locale it capitalises them all, which is one of the forms."""
    label = tidy_icp(label) or ""
    choices = [{char.upper()} if char.isascii() else {char, char.upper(), char.lower()} for char in label]
    if sum(len(options) > 1 for options in choices) > MIXED_CASE_LETTERS_LOOKED_UP:
        return [label.upper(), "".join(char.upper() if char.isascii() else char.lower() for char in label)]
    return sorted({"".join(form) for form in product(*choices)})


def most_common_spellings(counts: Mapping[str, int]) -> dict[str, str]:
    """Return {spelling: the most common spelling of its ICP} for every spelling in `counts`
    (spelling -> number of links). Ties go to the spelling that sorts first (capitals first: CEO)."""
    best = {}
    for spelling, _links in sorted(counts.items(), key=lambda item: (-item[1], item[0])):
        best.setdefault(icp_key(spelling), tidy_icp(spelling))
    return {spelling: best[icp_key(spelling)] for spelling in counts}


def spellings_to_store(labels: Iterable[str], stored: Mapping[str, int]) -> dict[str, str]:
    """Return {label: the spelling to store} for incoming `labels` (repeats count), given the
    `stored` spellings and their link counts: an ICP already stored keeps its spelling, a new one
    takes its most common spelling among `labels`."""
    labels = [label for label in labels if tidy_icp(label)]
    canonical_by_key = {icp_key(spelling): canonical for spelling, canonical in most_common_spellings(stored).items()}
    new_counts = Counter(tidy_icp(label) for label in labels if icp_key(label) not in canonical_by_key)
    for spelling, canonical in most_common_spellings(new_counts).items():
        canonical_by_key.setdefault(icp_key(spelling), canonical)
    return {label: canonical_by_key[icp_key(label)] for label in labels}
