"""Signals of the links app, for the apps above it (links imports nobody)."""

from django.dispatch import Signal

# Sent with `links` (a list of Link) after a bulk save that skips post_save (bulk_create,
# bulk_update): Clay's API and the demo data. tracker keeps its destination cache with it.
links_saved = Signal()
