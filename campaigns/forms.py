"""Forms of the campaigns app: launching or scheduling a run from the campaign page, and checking a campaign."""

from datetime import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from campaigns.models import Campaign, EspConnection
from campaigns.send_windows import MAX_WINDOW_DAYS, WEEKDAY_NAMES, SendWindow, WindowError
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
        connections = EspConnection.objects.filter(organization=organization, enabled=True, sending_enabled=True)
        if connections.exists():
            self.fields["send_through"] = forms.ModelChoiceField(
                queryset=connections, required=False, empty_label=_("SMTP (our relay)"), label=_("Send through")
            )

    # What the engaged field's widget (django-filter's BooleanWidget) understands; it reads anything
    # else as "not given", which for a launch would silently mean everyone.
    ENGAGED_WORDS = {"", "true", "false", "1", "0"}

    def clean(self):
        cleaned = super().clean()
        raw = self.data.get("engaged", "")
        if not isinstance(raw, str) or raw.strip().lower() not in self.ENGAGED_WORDS:
            self.add_error("engaged", gettext("Choose yes, no, or leave it empty for everyone."))
        return cleaned

    def audience(self) -> dict:
        """The run's audience from the valid form: the fields given, under the audience's keys."""
        given = {
            name: value
            for name, value in self.cleaned_data.items()
            if name in self.AUDIENCE_KEYS and value not in (None, "")
        }
        return {self.AUDIENCE_KEYS[name]: value for name, value in given.items()}


class RunScheduleForm(RunLaunchForm):
    """When a new run starts (in the organization's time zone) and, optionally, the send window it is spread over."""

    start = forms.DateTimeField(
        label=_("Start"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
    )
    spread = forms.BooleanField(label=_("Spread the sends over a send window"), required=False)
    weekdays = forms.TypedMultipleChoiceField(
        label=_("Weekdays"),
        choices=[(day, name) for day, name in enumerate(WEEKDAY_NAMES, start=1)],
        coerce=int,
        required=False,
        initial=[1, 2, 3, 4, 5],
        widget=forms.CheckboxSelectMultiple,
    )
    window_start = forms.TimeField(
        label=_("From"), required=False, initial="09:00", widget=forms.TimeInput(attrs={"type": "time"})
    )
    window_end = forms.TimeField(
        label=_("Until"), required=False, initial="17:00", widget=forms.TimeInput(attrs={"type": "time"})
    )
    window_days = forms.IntegerField(
        label=_("Over (days)"), required=False, initial=3, min_value=1, max_value=MAX_WINDOW_DAYS
    )

    WINDOW_FIELDS = ("weekdays", "window_start", "window_end", "window_days")
    window: SendWindow | None = None  # the valid form's send window (None: all sends due at the start)

    def __init__(self, *args, organization, **kwargs):
        super().__init__(*args, organization=organization, **kwargs)
        self.fields.pop("send_through", None)  # scheduled runs go out by SMTP (schedule_new_run takes no connection)
        self.zone = organization.zone
        self.fields["start"].help_text = gettext("In the organization's time zone, %(zone)s.") % {
            "zone": organization.time_zone
        }

    def clean_start(self) -> datetime:
        start = self.cleaned_data["start"]
        # The browser sends a wall-clock time, which Django read in the server's zone: it is a time
        # in the organization's zone.
        if start.tzinfo is not None:
            start = timezone.make_naive(start, timezone.get_current_timezone())
        return start.replace(tzinfo=self.zone)

    def clean(self):
        cleaned = super().clean()
        self.window = None
        if not cleaned.get("spread") or any(name in self.errors for name in self.WINDOW_FIELDS):
            return cleaned
        missing = [name for name in self.WINDOW_FIELDS[1:] if cleaned.get(name) is None]
        for name in missing:
            self.add_error(name, gettext("Needed for a send window."))
        if missing:
            return cleaned
        try:
            self.window = SendWindow(
                weekdays=frozenset(cleaned.get("weekdays") or ()),
                start=cleaned["window_start"],
                end=cleaned["window_end"],
                days=cleaned["window_days"],
            )
        except WindowError as error:
            self.add_error(None, str(error))
        return cleaned


class CampaignForm(forms.ModelForm):
    """A campaign as an organization writes it; refuses what could not be sent (see campaign_problems)."""

    class Meta:
        model = Campaign
        fields = ["name", "subject", "from_name", "from_email", "body_text", "body_html"]
        labels = {
            "name": _("Name"),
            "subject": _("Subject"),
            "from_name": _("From name"),
            "from_email": _("From email"),
            "body_text": _("Body text"),
            "body_html": _("Body html"),
        }

    def clean(self):
        cleaned = super().clean()
        if not self.errors:
            draft = Campaign(**{name: cleaned.get(name) or "" for name in self.Meta.fields})
            for problem in campaign_problems(draft):
                self.add_error(None, problem)
        return cleaned
