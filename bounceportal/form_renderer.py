"""The site's form renderer (settings.FORM_RENDERER): Django's, with a <select> and an <input> written in Python.

Django renders a select through a template that includes another template per option (and a third
for each option's attributes): the run details' filter form, with its 80-odd categories, subtypes
and reasons, cost 15 ms a request that way (bench/pages.py). ``select_html`` writes the same markup
(the same characters: the stock renderer's output is the test) from the same widget context, so
every Select and SelectMultiple of the portal, its filters and the Django admin is drawn the same,
only faster. A project or app template overriding Django's select templates, or an option with a
template of its own, is rendered by the templates as before.

The plain inputs (``input_html``: a checkbox, a text or number field...) likewise: the Django admin's
change lists draw an action checkbox per row through three templates (checkbox, input, attrs), some
0.3 ms a row, a third of the rows' time on a 100-row list (bench/pages.py, admin_inbound).
"""

from typing import Any

from django.forms.renderers import DjangoTemplates
from django.utils.formats import localize
from django.utils.functional import cached_property
from django.utils.html import conditional_escape, escape
from django.utils.safestring import SafeData, SafeString, mark_safe

SELECT = "django/forms/widgets/select.html"
OPTION = "django/forms/widgets/select_option.html"
INPUT = "django/forms/widgets/input.html"
ATTRS = "django/forms/widgets/attrs.html"
# Django's input widgets whose template only includes input.html (a checkbox, text, number...).
INPUTS = {
    f"django/forms/widgets/{kind}.html"
    for kind in (
        "checkbox",
        "color",
        "date",
        "datetime",
        "email",
        "file",
        "hidden",
        "number",
        "password",
        "search",
        "tel",
        "text",
        "time",
        "url",
    )
}


def _text(value: Any) -> str:
    """``{{ value }}``: localized and escaped (unless already safe)."""
    value = localize(value)
    return conditional_escape(value if isinstance(value, str) else str(value))


def _formatted(value: Any) -> str:
    """``{{ value|stringformat:'s' }}``: the filter keeps a safe value safe, else the result is escaped."""
    text = str(value)
    return text if isinstance(value, SafeData) else escape(text)


def attrs_html(attrs: dict[str, Any]) -> str:
    """django/forms/widgets/attrs.html: `` name="value"`` per attribute, a bare name for True, nothing for False."""
    return "".join(
        f" {conditional_escape(name)}" if value is True else f' {conditional_escape(name)}="{_formatted(value)}"'
        for name, value in attrs.items()
        if value is not False
    )


def select_html(widget: dict[str, Any]) -> SafeString:
    """django/forms/widgets/select.html (and its option template) for a widget's context, as the renderer returns it."""
    parts = [f'<select name="{_text(widget["name"])}"{attrs_html(widget["attrs"])}>']
    for group_name, options, _index in widget["optgroups"]:
        if group_name:
            parts.append(f'\n  <optgroup label="{_text(group_name)}">')
        for option in options:
            parts.append(
                f'\n  <option value="{_formatted(option["value"])}"{attrs_html(option["attrs"])}>'
                f"{_text(option['label'])}</option>\n"
            )
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return mark_safe("".join(parts).strip())


def input_html(widget: dict[str, Any]) -> SafeString:
    """django/forms/widgets/input.html for a widget's context (the admin's action checkbox on every row of a list)."""
    value = "" if widget["value"] is None else f' value="{_formatted(widget["value"])}"'
    return mark_safe(
        f'<input type="{_text(widget["type"])}" name="{_text(widget["name"])}"{value}{attrs_html(widget["attrs"])}>'
    )


class FormRenderer(DjangoTemplates):
    """Django's DjangoTemplates renderer; a select or an input with the stock templates is written by
    ``select_html`` / ``input_html``."""

    def _stock(self, *names: str) -> bool:
        from django import forms

        return all(str(self.get_template(name).origin.name).startswith(str(forms.__path__[0])) for name in names)

    @cached_property
    def _stock_select(self) -> bool:
        """Whether the select and option templates found are Django's own (not overridden by an app)."""
        return self._stock(SELECT, OPTION)

    @cached_property
    def _stock_inputs(self) -> bool:
        """Whether input.html, attrs.html and every template of INPUTS found are Django's own."""
        return self._stock(INPUT, ATTRS, *sorted(INPUTS))

    def render(self, template_name, context, request=None):
        if template_name == SELECT and self._stock_select:
            widget = context["widget"]
            if all(option["template_name"] == OPTION for _, options, _ in widget["optgroups"] for option in options):
                return select_html(widget)
        if template_name in INPUTS and self._stock_inputs:
            return input_html(context["widget"])
        return super().render(template_name, context, request=request)
