"""Project-wide middleware: /api/ routes answer with and without their trailing slash."""

from django.urls import is_valid_path

API_PATH_PREFIX = "/api/"


class ApiTrailingSlashMiddleware:
    """Serve an /api/ path spelled with or without its trailing slash by the route it means, with
    no redirect: an HTTP client follows a 301 to a POST as a GET, so Clay would get the list of
    links with 200 and its rows would stay untracked. Runs before CommonMiddleware, whose
    APPEND_SLASH then finds the path valid and leaves it alone. URL names and reverse() keep the
    canonical spelling (/api/links/, /api/icp-stats)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        path = request.path_info
        if path.startswith(API_PATH_PREFIX):
            urlconf = getattr(request, "urlconf", None)
            if not is_valid_path(path, urlconf):
                other_spelling = path[:-1] if path.endswith("/") else path + "/"
                if is_valid_path(other_spelling, urlconf):
                    request.path = request.path[: len(request.path) - len(path)] + other_spelling
                    request.path_info = other_spelling
        return self.get_response(request)
