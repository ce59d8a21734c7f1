"""Routes of the links app, included under /api/ by the root URLconf."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from links.api import LinkViewSet

router = SimpleRouter()
router.register("links", LinkViewSet, basename="link")

urlpatterns = [
    # The router spells it with a trailing slash; Clay users type it without. Both answer; the
    # schema documents one (the description names both).
    path("links/lookup", LinkViewSet.as_view({"get": "lookup"}, schema=None), name="link-lookup-no-slash"),
    *router.urls,
]
