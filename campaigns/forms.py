"""Forms of the campaigns app: launching a run from the campaign page, and checking a campaign."""

from django import forms

from campaigns.models import Campaign
from campaigns.services.sending import campaign_problems
from contacts.filters import LearnerFilter


class RunLaunchForm(forms.Form):
    """Which learners a new run targets: the learner list's own filters (all empty means everyone).

    Deliverability is not offered: suppressed learners are never scheduled.
    """

    FILTERS = ("q", "domain", "category", "subtype", "engaged")

    def __init__(self, *args, organization, **kwargs):
        super().__init__(*args, **kwargs)
        filter_fields = LearnerFilter(organization=organization).form.fields
        for name in self.FILTERS:
            self.fields[name] = filter_fields[name]

    def learner_filter(self) -> dict:
        """The filter as stored on the run: the learner list's query parameters that were given."""
        return {name: self.data[name].strip() for name in self.FILTERS if self.data.get(name, "").strip()}


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
