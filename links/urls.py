"""Routes of the links app, included under /api/ by the root URLconf."""

from rest_framework.routers import SimpleRouter

from links.api import LinkViewSet

router = SimpleRouter()
router.register("links", LinkViewSet, basename="link")

urlpatterns = router.urls
