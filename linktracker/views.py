"""Project-wide pages that belong to no app: the interactive API docs."""

from django.contrib.auth.decorators import login_required
from drf_spectacular.views import SpectacularSwaggerView

api_docs = login_required(SpectacularSwaggerView.as_view(url_name="schema"))
