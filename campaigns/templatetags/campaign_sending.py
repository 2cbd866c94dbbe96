"""``{% launch_run_form campaign %}``: the campaign page's "Launch a run" form, for admins."""

from django import template

from campaigns.forms import RunLaunchForm
from contacts.capabilities import can_launch_runs

register = template.Library()


@register.inclusion_tag("campaigns/_launch_run_form.html", takes_context=True)
def launch_run_form(context, campaign):
    request = context.get("request")
    can_launch = request is not None and can_launch_runs(request.user, campaign.organization)
    form = RunLaunchForm(organization=campaign.organization) if can_launch else None
    return {"campaign": campaign, "form": form, "can_launch": can_launch}
