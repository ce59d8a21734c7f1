"""The click path: GET /t/<token> records one click and redirects."""
from django.contrib.auth.decorators import login_required
from django.http import HttpResponseNotFound, HttpResponseRedirect
from django.template import loader
from django.views.decorators.cache import never_cache
from drf_spectacular.views import SpectacularSwaggerView

from links.models import Link
from tracker.models import Click


@never_cache
def follow_link(request, token):
    """Redirect to the link's destination (302) and store one click; 404 for unknown tokens."""
    link = Link.objects.filter(token=token).only("id", "destination_url").first()
    if link is None:
        return HttpResponseNotFound(loader.render_to_string("404.html"))
    if request.method == "GET":
        Click.objects.create(
            link_id=link.id,
            ip=request.META.get("REMOTE_ADDR"),
            user_agent=request.META.get("HTTP_USER_AGENT", "")[:512],
            referer=request.META.get("HTTP_REFERER", "")[:512],
        )
    return HttpResponseRedirect(link.destination_url)


api_docs = login_required(SpectacularSwaggerView.as_view(url_name="schema"))
