import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def no_french_left_behind():
    """A French request activates French for the whole thread: put the default language back so the
    next test (a command's English output, say) is not read in French."""
    yield
    translation.deactivate()
