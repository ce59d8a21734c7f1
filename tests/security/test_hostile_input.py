"""Hostile input on Clay's POST /api/links/: whatever arrives, the answer is a 400 with per-field
messages (or 201/200 for a valid prospect), never a 500, and a refused request stores nothing."""

import json

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from links.models import Campaign, Link

pytestmark = pytest.mark.django_db

FIELDS = ["first_name", "last_name", "email", "ICP", "icp", "campaign", "destination_url", "sent_at", "channel"]
VALID = {
    "first_name": "John",
    "last_name": "Doe",
    "email": "john@company.com",
    "ICP": "CEO",
    "campaign": "wesser-recrutement.fr",
    "destination_url": "https://wesser.fr/offre",
}

fuzz = hypothesis_settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)

nasty_text = st.one_of(
    st.text(),
    st.text(alphabet=st.characters(codec="utf-8", exclude_categories=[])),  # surrogates included
    st.sampled_from(
        [
            "\x00",
            "John\x00Doe",
            "john@company.com\x00",
            "https://wesser.fr/\x00",
            "\ud800",
            "<script>alert(1)</script>",
            "' OR 1=1 --",
            "﷽" * 50,
            "🙂" * 100,
            " ",
            "",
        ]
    ),
    st.builds(lambda char, size: char * size, st.characters(), st.integers(250, 70_000)),
)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | nasty_text,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=12,
)


def row_counts():
    return Link.objects.count(), Campaign.objects.count()


def post_raw(api, body):
    api.raise_request_exception = True  # a 500 fails the example with its traceback
    return api.post("/api/links/", data=body, content_type="application/json")


def assert_answer_is_honest(response, counts_before):
    """400 with {field: [messages]} and nothing stored, or a link that really is in the database."""
    assert response.status_code in (200, 201, 400), response.content[:500]
    body = response.json()
    if response.status_code == 400:
        assert row_counts() == counts_before
        errors = body if isinstance(body, list) else [body]
        for error in errors:
            assert isinstance(error, dict)
            assert all(
                isinstance(messages, list) and all(isinstance(m, str) and m for m in messages)
                for messages in error.values()
            )
        assert any(errors)
    else:
        links = body if isinstance(body, list) else [body]
        for link in links:
            stored = Link.objects.get(token=link["token"])
            assert (stored.email, stored.destination_url, stored.campaign.name) == (
                link["email"],
                link["destination_url"],
                link["campaign"],
            )
        if response.status_code == 200:
            assert row_counts() == counts_before


@fuzz
@given(prospect=st.fixed_dictionaries({}, optional=dict.fromkeys(FIELDS, nasty_text)))
def test_arbitrary_unicode_in_every_field_answers_400_or_a_stored_link(api, prospect):
    """Unicode of every kind (NUL, lone surrogates, emoji, 70,000 characters): 400 or a real link."""
    before = row_counts()
    assert_answer_is_honest(post_raw(api, json.dumps(prospect)), before)


@fuzz
@given(field=st.sampled_from(FIELDS), value=json_values)
def test_wrong_types_and_nested_json_in_a_field_answer_400_naming_it(api, field, value):
    """A number, list, object or deeply nested JSON where a string belongs: 400 naming that field."""
    before = row_counts()
    response = post_raw(api, json.dumps({**VALID, field: value}))
    assert_answer_is_honest(response, before)
    if response.status_code == 400:
        assert set(response.json()) <= {field, "non_field_errors"}  # under the key as sent ("ICP")


@fuzz
@given(body=json_values)
def test_any_json_document_as_the_whole_body_answers_400_or_a_stored_link(api, body):
    """A bare string, number, null, nested lists or objects as the body: never a 500."""
    before = row_counts()
    assert_answer_is_honest(post_raw(api, json.dumps(body)), before)


@fuzz
@given(body=st.binary(min_size=1, max_size=300))
def test_bytes_that_are_not_json_answer_400(api, body):
    """Invalid UTF-8 or broken JSON is a 400 saying it is a JSON parse error, nothing stored."""
    before = row_counts()
    try:
        json.loads(body)
    except ValueError:
        response = post_raw(api, body)
        assert response.status_code == 400
        assert response.json()["detail"].startswith("JSON parse error")
        assert row_counts() == before
    else:
        assert_answer_is_honest(post_raw(api, body), before)


@fuzz
@given(field=st.sampled_from(FIELDS), first=json_values, second=json_values)
def test_duplicate_keys_in_a_raw_body_are_read_as_the_last_value(api, field, first, second):
    """`{"email": "a", "email": "b"}`: the last value wins, as in every JSON parser Clay may meet."""
    body = (
        json.dumps(VALID)[:-1]
        + f", {json.dumps(field)}: {json.dumps(first)}, {json.dumps(field)}: {json.dumps(second)}}}"
    )
    before = row_counts()
    response = post_raw(api, body)
    assert_answer_is_honest(response, before)
    twin = post_raw(api, json.dumps({**VALID, field: second}))
    assert twin.status_code in ((200,) if response.status_code in (200, 201) else (400,))


@pytest.mark.parametrize("field", ["first_name", "last_name", "email", "ICP", "campaign", "destination_url", "channel"])
def test_a_nul_character_is_a_400_on_every_database(api, field):
    """PostgreSQL cannot store NUL: it is refused as a 400 naming the field, never a 500."""
    response = api.post("/api/links/", {**VALID, field: VALID.get(field, "email") + "\x00"}, format="json")

    assert response.status_code == 400
    assert list(response.json()) == [field]
    assert response.json()[field][0] == "Null characters are not allowed."
    assert row_counts() == (0, 0)


def test_a_list_with_one_bad_row_stores_nothing(api):
    """A list is all or nothing: one bad row among good ones, and no row at all is stored."""
    rows = [VALID, {**VALID, "email": "jane@company.com", "destination_url": "javascript:alert(1)"}]

    response = api.post("/api/links/", rows, format="json")

    assert response.status_code == 400
    assert response.json()[0] == {}
    assert list(response.json()[1]) == ["destination_url"]
    assert row_counts() == (0, 0)


def test_a_null_row_in_a_list_gets_the_same_per_row_error_shape(api):
    """`[null, {good row}]`: one object per row, the null row's message under non_field_errors."""
    response = api.post("/api/links/", [None, VALID], format="json")

    assert response.status_code == 400
    assert response.json() == [{"non_field_errors": ["This field may not be null."]}, {}]
    assert row_counts() == (0, 0)
