"""WSGI entry point: gunicorn serves linktracker.wsgi:application.

Tracking URLs (/t/...) are answered by linktracker.fast_path before Django's request cycle; every
other path goes to Django."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "linktracker.settings")
django_application = get_wsgi_application()

from linktracker.fast_path import TrackingLinksApp  # noqa: E402  (needs the apps loaded above)
from tracker.devices import warm_up  # noqa: E402

application = TrackingLinksApp(django_application)
warm_up()  # each click's device is read from its user agent: the parser is built before the first one
