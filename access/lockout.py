"""What django-axes answers a locked-out login, and which address it counts failures against."""

from django.http import HttpResponse, JsonResponse
from django.template import loader
from django.utils.translation import gettext

from tracker.client_ip import client_ip


def client_ip_address(request) -> str:
    """The client's address as the click path reads it (the socket, or TRUSTED_PROXY_HEADER's
    right-most entry): a forged X-Forwarded-For cannot dodge the lockout."""
    address = client_ip(request.META)
    return str(address) if address is not None else ""


def lockout_response(request, original_response=None, credentials=None):
    """429 with Retry-After: JSON `{"detail": ...}` for API and script callers, the login-locked
    page otherwise. Nothing is hashed while locked out."""
    from django.conf import settings

    retry_after = int(settings.AXES_COOLOFF_TIME.total_seconds())
    message = gettext("Too many failed login attempts. Try again in %(minutes)d minutes.") % {
        "minutes": max(1, retry_after // 60)
    }
    headers = {"Retry-After": str(retry_after)}
    wants_json = (
        request.path.startswith("/api/")
        or "application/json" in request.headers.get("Accept", "")
        or request.headers.get("X-Requested-With") == "XMLHttpRequest"
    )
    if wants_json:
        return JsonResponse({"detail": message}, status=429, headers=headers)
    body = loader.render_to_string("registration/locked_out.html", {"message": message}, request=request)
    return HttpResponse(body, status=429, headers=headers)
