"""A run's audience: which of the organization's learners a campaign run targets.

Stored on ``CampaignRun.audience`` as a JSON object in this schema, owned by
campaigns (not the learner list's filter parameters, so renaming a portal
filter cannot change or break a stored run). Every key is optional; an empty
object means every learner of the organization:

    search    str   the address contains it, or (without an "@") the first or last name does
    domain    str   the address is at this domain ("@Example.com" is read as "example.com")
    category  str   the latest bounce's category, a ``contacts.choices.Category`` value
    subtype   str   the latest bounce's subtype, a ``contacts.choices.Subtype`` value
    engaged   bool  opened or clicked within the policy's window (true) or not (false)

Suppressed learners are never scheduled whatever the audience says
(``campaigns.services.sending``). ``validate_audience`` checks an audience when a
run is created; the portal's launch form translates its filter fields into one
(``campaigns.forms.RunLaunchForm.audience``).
"""

from django.db.models import Q

from contacts.choices import Category, Subtype
from contacts.selectors import domain_q, engaged_q, normalized_domain, search_q

# Long enough for any address or domain; a longer value is a mistake, not an audience.
MAX_TEXT = 254


class AudienceError(ValueError):
    """The audience does not follow the schema; the message says which key and why."""


def _text(value) -> str:
    if not isinstance(value, str) or len(value) > MAX_TEXT:
        raise AudienceError(f"must be text of at most {MAX_TEXT} characters")
    return value.strip()


def _choice(choices):
    def check(value) -> str:
        if value not in choices.values:
            raise AudienceError(f"{value!r} is not one of {', '.join(choices.values)}")
        return value

    return check


def _flag(value) -> bool:
    if not isinstance(value, bool):
        raise AudienceError("must be true or false")
    return value


FIELDS = {
    "search": _text,
    "domain": lambda value: normalized_domain(_text(value)),
    "category": _choice(Category),
    "subtype": _choice(Subtype),
    "engaged": _flag,
}


def validate_audience(audience) -> dict:
    """Return the audience in its stored form (texts stripped, empty ones dropped).

    Raises AudienceError for anything but an object of the schema's keys and types.
    """
    if not isinstance(audience, dict):
        raise AudienceError("An audience is an object of search, domain, category, subtype and engaged.")
    unknown = sorted(set(audience) - set(FIELDS))
    if unknown:
        raise AudienceError(f"Unknown audience key(s): {', '.join(map(str, unknown))}.")
    cleaned = {}
    for key, check in FIELDS.items():
        if key not in audience:
            continue
        try:
            value = check(audience[key])
        except AudienceError as error:
            raise AudienceError(f"{key}: {error}.") from None
        if value != "":
            cleaned[key] = value
    return cleaned


def audience_q(audience: dict, *, policy, now=None) -> Q:
    """The learners a (valid) audience selects, as a condition on ``Learner``; ``policy`` defines engaged."""
    condition = search_q(audience.get("search", "")) & domain_q(audience.get("domain", ""))
    if "category" in audience:
        condition &= Q(last_bounce_category=audience["category"])
    if "subtype" in audience:
        condition &= Q(last_bounce_subtype=audience["subtype"])
    if "engaged" in audience:
        engaged = engaged_q(policy, now)
        condition &= engaged if audience["engaged"] else ~engaged
    return condition
