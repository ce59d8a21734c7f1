"""The page a prospect may see on a tracking URL: the 404 for an unknown or deleted link, in the
prospect's language (their browser's Accept-Language), rendered once per language and process so
that a miss does no template work."""

import functools

from django.conf import settings
from django.template import loader
from django.utils import translation
from django.utils.translation.trans_real import parse_accept_lang_header


def prospect_language(accept_language: str) -> str:
    """Return the first language of LANGUAGES the Accept-Language header asks for (by its
    q-values, "fr-FR" counts as "fr"), else LANGUAGE_CODE."""
    for code, _quality in parse_accept_lang_header(accept_language or ""):
        if code == "*":
            break
        try:
            return translation.get_supported_language_variant(code)
        except LookupError:
            continue
    return settings.LANGUAGE_CODE


@functools.cache
def not_found_page_in(language: str) -> str:
    """Return templates/link_not_found.html rendered in `language`."""
    with translation.override(language):
        return loader.render_to_string("link_not_found.html")


def not_found_page(accept_language: str = "") -> str:
    """Return the 404 page for a prospect whose browser sent `accept_language`."""
    return not_found_page_in(prospect_language(accept_language))
