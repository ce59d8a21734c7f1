"""A prospect's account: the company behind an e-mail address, spelled as its domain.

Free-mail domains (data/free_mail_domains.txt) say nothing about the company: a prospect on one of
them is an account of their own, spelled as the full e-mail address.
"""

from functools import lru_cache
from pathlib import Path

FREE_MAIL_DOMAINS_FILE = Path(__file__).resolve().parent / "data" / "free_mail_domains.txt"


@lru_cache(maxsize=1)
def free_mail_domains() -> tuple[frozenset[str], tuple[str, ...]]:
    """Return (exact domains, name prefixes) read from the data file; "hotmail.*" is a prefix."""
    exact, prefixes = set(), []
    for line in FREE_MAIL_DOMAINS_FILE.read_text(encoding="utf-8").splitlines():
        domain = line.split("#", 1)[0].strip().lower()
        if not domain:
            continue
        if domain.endswith(".*"):
            prefixes.append(domain[:-1])  # "hotmail." matches hotmail.fr, hotmail.co.uk
        else:
            exact.add(domain)
    return frozenset(exact), tuple(prefixes)


def is_free_mail(domain: str) -> bool:
    exact, prefixes = free_mail_domains()
    return domain in exact or domain.startswith(prefixes)


def account_of(email: str) -> str:
    """Return the account of an e-mail address: its domain in lower case, or the whole address
    (lower case) on a free-mail domain or when it has no domain."""
    email = email.strip().lower()
    _, at, domain = email.rpartition("@")
    if not at or not domain or is_free_mail(domain):
        return email
    return domain
