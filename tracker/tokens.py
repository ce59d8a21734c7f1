"""The token in a tracking URL's path: what a paste may have added, and what can be a token at all."""

import re

# Mail clients and people add these after a pasted URL ("see https://…/t/AbC."); tokens are made of
# A-Za-z0-9-_ only (links.models.new_token), so none of them can end a token.
TRAILING_PUNCTUATION = "/.,)]"
is_token_shaped = re.compile(r"[A-Za-z0-9_-]{1,32}").fullmatch


def token_from_path(rest_of_path: str) -> str:
    """Return the token in the path after /t/, without the punctuation a paste may have added."""
    return rest_of_path.rstrip(TRAILING_PUNCTUATION)
