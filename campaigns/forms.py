"""Forms of the campaigns app: launching a run from the campaign page, and checking a campaign."""

from django import forms

from campaigns.models import Campaign
from campaigns.services.sending import campaign_problems
from contacts.filters import LearnerFilter


class RunLaunchForm(forms.Form):
    """Which learners a new run targets, asked with the learner list's own filter fields (all empty: everyone).

    Deliverability is not offered: suppressed learners are never scheduled. The fields keep the
    learner list's names, so its query parameters can prefill the form; ``audience()`` translates
    them into the run's own schema (``campaigns.audience``), which is what the run stores.
    """

    # Learner-list filter field -> audience key.
    AUDIENCE_KEYS = {
        "q": "search",
        "domain": "domain",
        "category": "category",
        "subtype": "subtype",
        "engaged": "engaged",
    }

    def __init__(self, *args, organization, **kwargs):
        super().__init__(*args, **kwargs)
        filter_fields = LearnerFilter(organization=organization).form.fields
        for name in self.AUDIENCE_KEYS:
            self.fields[name] = filter_fields[name]

    def audience(self) -> dict:
        """The run's audience from the valid form: the fields given, under the audience's keys."""
        given = {name: value for name, value in self.cleaned_data.items() if value not in (None, "")}
        return {self.AUDIENCE_KEYS[name]: value for name, value in given.items() if name in self.AUDIENCE_KEYS}


class CampaignForm(forms.ModelForm):
    """A campaign as an organization writes it; refuses what could not be sent (see campaign_problems)."""

    class Meta:
        model = Campaign
        fields = ["name", "subject", "from_name", "from_email", "body_text", "body_html"]

    def clean(self):
        cleaned = super().clean()
        if not self.errors:
            draft = Campaign(**{name: cleaned.get(name) or "" for name in self.Meta.fields})
            for problem in campaign_problems(draft):
                self.add_error(None, problem)
        return cleaned
