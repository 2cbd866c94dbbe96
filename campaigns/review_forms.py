"""Forms of the review of unmatched mail: attach a reading to a learner, or dismiss the message."""

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from campaigns.models import BounceEvent
from contacts.models import Learner, Organization


class AttachInboundForm(forms.Form):
    event = forms.TypedChoiceField(label=_("Recipient in the report"), coerce=int)
    email = forms.EmailField(label=_("Learner's email address"), max_length=254)
    note = forms.CharField(
        label=_("Note (optional)"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, organization: Organization, events: list[BounceEvent], **kwargs):
        super().__init__(*args, **kwargs)
        self.organization, self.events = organization, {event.pk: event for event in events}
        self.fields["event"].choices = [  # type: ignore[attr-defined]
            (
                event.pk,
                f"{event.address or '(no address)'}: {event.get_category_display()}, {event.get_subtype_display()}",
            )
            for event in events
        ]
        if events and not self.is_bound:
            self.fields["email"].initial = events[0].address

    def clean_email(self) -> str:
        email = self.cleaned_data["email"]
        learner = Learner.objects.filter(organization=self.organization, email__iexact=email).first()
        if learner is None:
            raise forms.ValidationError(gettext("No learner of your organization has this address."))
        self.cleaned_data["learner"] = learner
        return email

    @property
    def chosen_event(self) -> BounceEvent:
        return self.events[self.cleaned_data["event"]]


class DismissInboundForm(forms.Form):
    note = forms.CharField(
        label=_("Why dismiss it"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Kept with the decision, for your colleagues and for support."),
    )
