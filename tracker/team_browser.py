"""The team cookie: set when a team member logs in, and by the one-click "this browser is the
team's" page, for browsers that open tracking links without ever logging in here (a phone)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from tracker.internal import TEAM_COOKIE_NAME, TEAM_COOKIE_VALUE, mark_team_browser


@receiver(user_logged_in, dispatch_uid="tracker.mark_team_browser_on_login")
def mark_team_browser_on_login(sender, request, user, **kwargs):
    """A browser a team member logs in with is the team's: mark it once the response is built."""
    if request is not None:
        request.mark_team_browser = True


class TeamBrowserCookieMiddleware:
    """Sets the team cookie on the response to a request that logged a team member in (the
    login signal has no response to set it on)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if getattr(request, "mark_team_browser", False):
            mark_team_browser(response, secure=request.is_secure())
        return response


@login_required
@require_http_methods(["GET", "POST"])
def team_browser(request):
    """GET: say whether this browser is marked as the team's. POST: mark it."""
    if request.method == "POST":
        response = redirect("team-browser")
        mark_team_browser(response, secure=request.is_secure())
        messages.success(request, _("This browser is now the team's: its clicks on tracking links are internal."))
        return response
    marked = request.COOKIES.get(TEAM_COOKIE_NAME) == TEAM_COOKIE_VALUE
    return render(request, "tracker/team_browser.html", {"marked": marked})
