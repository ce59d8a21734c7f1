"""POST /api/links/ refuses bad input with a message per field and stores nothing."""

import pytest

from links.models import Campaign, Link

pytestmark = pytest.mark.django_db

URL = "/api/links/"


def clay_row(**overrides):
    row = {
        "first_name": "John",
        "last_name": "Doe",
        "email": "john@company.com",
        "ICP": "CEO",
        "campaign": "wesser-recrutement.fr",
        "destination_url": "https://wesser.fr/offre",
    }
    row.update(overrides)
    return row


def assert_refused(response, errors):
    assert response.status_code == 400
    assert response.json() == errors
    assert Link.objects.count() == 0
    assert Campaign.objects.count() == 0


@pytest.mark.parametrize("field", ["email", "campaign", "destination_url"])
def test_a_missing_required_field_is_refused(api, field):
    """email, campaign and destination_url are required."""
    row = clay_row()
    del row[field]

    assert_refused(api.post(URL, row, format="json"), {field: ["This field is required."]})


@pytest.mark.parametrize("field", ["email", "campaign", "destination_url"])
@pytest.mark.parametrize("empty", ["", "   "], ids=["empty", "blank"])
def test_an_empty_required_field_is_refused(api, field, empty):
    """An empty or blank required cell is not a value."""
    assert_refused(api.post(URL, clay_row(**{field: empty}), format="json"), {field: ["This field may not be blank."]})


@pytest.mark.parametrize("field", ["email", "campaign", "destination_url"])
def test_a_null_required_field_is_refused(api, field):
    """null is no more a value than a missing key."""
    assert_refused(api.post(URL, clay_row(**{field: None}), format="json"), {field: ["This field may not be null."]})


@pytest.mark.parametrize(
    "destination",
    [
        "javascript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "ftp://files.example.com/offer.pdf",
        "/relative/path",
        "example.com",
        "https://",
        "http:///no-host",
        "mailto:john@company.com",
    ],
)
def test_a_destination_that_is_not_an_absolute_web_url_is_refused(api, destination):
    """Prospects land on http(s) pages with a host; anything else could be an attack."""
    assert_refused(
        api.post(URL, clay_row(destination_url=destination), format="json"),
        {"destination_url": ["Enter an absolute http:// or https:// URL with a host."]},
    )


@pytest.mark.parametrize("email", ["john", "john@", "@company.com", "john doe@company.com", "john@company"])
def test_a_malformed_email_is_refused(api, email):
    """The e-mail identifies the prospect; a malformed one is a Clay mapping mistake."""
    assert_refused(api.post(URL, clay_row(email=email), format="json"), {"email": ["Enter a valid email address."]})


@pytest.mark.parametrize(
    "field, limit",
    [
        ("first_name", 150),
        ("last_name", 150),
        ("ICP", 100),
        ("campaign", 200),
        ("channel", 30),
    ],
)
def test_a_value_over_its_length_limit_is_refused(api, field, limit):
    """Each field has the model's length limit, reported under the key as sent ("ICP" as Clay spells it)."""
    response = api.post(URL, clay_row(**{field: "x" * (limit + 1)}), format="json")

    assert_refused(response, {field: [f"Ensure this field has no more than {limit} characters."]})


def test_an_email_over_254_characters_is_refused(api):
    """254 characters is the longest deliverable e-mail address."""
    response = api.post(URL, clay_row(email="j" * 64 + "@" + "c" * 190 + ".com"), format="json")

    assert_refused(
        response, {"email": ["Ensure this field has no more than 254 characters.", "Enter a valid email address."]}
    )


def test_a_destination_over_2048_characters_is_refused(api):
    """2048 characters is the stored limit of a destination."""
    response = api.post(URL, clay_row(destination_url="https://wesser.fr/" + "a" * 2040), format="json")

    assert response.status_code == 400
    assert "Ensure this field has no more than 2048 characters." in response.json()["destination_url"]
    assert Link.objects.count() == 0


@pytest.mark.parametrize(
    "value", [42, 4.2, True, {"name": "John"}, ["John"]], ids=["integer", "float", "boolean", "object", "list"]
)
def test_a_value_that_is_not_a_string_is_refused(api, value):
    """Numbers and objects where text is expected are mistakes, never silently str()'d."""
    response = api.post(URL, clay_row(first_name=value, ICP=value), format="json")

    assert_refused(response, {"first_name": ["Not a valid string."], "ICP": ["Not a valid string."]})


def test_a_malformed_sent_at_is_refused(api):
    """sent_at is ISO 8601 or nothing."""
    response = api.post(URL, clay_row(sent_at="next tuesday"), format="json")

    assert response.status_code == 400
    assert response.json()["sent_at"][0].startswith("Datetime has wrong format.")
    assert Link.objects.count() == 0


def test_a_sent_at_out_of_range_after_the_offset_is_refused(api):
    """Year 1 at +05:00 is before year 1 in UTC: refused, not a server error."""
    response = api.post(URL, clay_row(sent_at="0001-01-01T00:00:00+05:00"), format="json")

    assert response.status_code == 400
    assert list(response.json()) == ["sent_at"]


@pytest.mark.parametrize("field", ["first_name", "campaign"])
def test_a_nul_character_is_refused(api, field):
    """PostgreSQL cannot store NUL characters: a 400, not a 500."""
    response = api.post(URL, clay_row(**{field: "Jo\x00hn"}), format="json")

    assert_refused(response, {field: ["Null characters are not allowed."]})


def test_a_body_that_is_not_json_is_refused(api):
    """A broken Clay body template is reported, not guessed at."""
    response = api.post(URL, '{"email": "john@company.com",', content_type="application/json")

    assert response.status_code == 400
    assert response.json()["detail"].startswith("JSON parse error")
    assert Link.objects.count() == 0


@pytest.mark.parametrize("body", ["42", '"john@company.com"', "null", "true"])
def test_a_json_body_that_is_not_an_object_or_a_list_is_refused(api, body):
    """One prospect is an object; many are a list."""
    response = api.post(URL, body, content_type="application/json")

    assert_refused(response, {"non_field_errors": ["Send a JSON object, or a list of objects."]})


def test_a_form_encoded_body_is_refused(api):
    """The API speaks JSON only."""
    response = api.post(URL, "email=john%40company.com", content_type="application/x-www-form-urlencoded")

    assert response.status_code == 415
    assert Link.objects.count() == 0


def test_without_a_token_the_post_is_refused(anonymous_api):
    """No token: 401 with the scheme to use."""
    response = anonymous_api.post(URL, clay_row(), format="json")

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert Link.objects.count() == 0


def test_with_a_wrong_token_the_post_is_refused(anonymous_api):
    """A revoked or mistyped token: 401."""
    anonymous_api.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")

    response = anonymous_api.post(URL, clay_row(), format="json")

    assert response.status_code == 401
    assert response.json() == {"detail": "Invalid token."}
    assert Link.objects.count() == 0
