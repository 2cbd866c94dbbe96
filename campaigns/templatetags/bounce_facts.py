from django import template

from campaigns.panels import bounce_facts_html

register = template.Library()


@register.simple_tag
def bounce_facts(event, can_view_raw=False):
    """{% bounce_facts event can_view_raw %}: the server's message, code, remote server and match."""
    return bounce_facts_html(event, can_view_raw=bool(can_view_raw))
