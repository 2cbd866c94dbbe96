"""The site's form renderer writes a <select> exactly as Django's templates do, only without them."""

from django import forms
from django.forms.renderers import DjangoTemplates
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy, override

from bounceportal.form_renderer import FormRenderer
from campaigns.filters import SendFilter


class Everything(forms.Form):
    plain = forms.ChoiceField(choices=[("", "---------"), ("a", "A & B"), ("b", "<b>")], required=False)
    grouped = forms.ChoiceField(
        choices=[("Fruit", [("apple", "Apple"), ("pear", "Pear")]), ("Other", [("x", gettext_lazy("Learners"))])]
    )
    many = forms.MultipleChoiceField(choices=[(1, "One"), (2, "Two"), (3, 'Quote "3"')], required=False)
    numbers = forms.TypedChoiceField(choices=[(1000, 1234.5), (2, 2)], coerce=int)
    flagged = forms.ChoiceField(
        choices=[("s", mark_safe("<i>safe</i>"))],
        widget=forms.Select(attrs={"data-x": "1 < 2", "disabled": True, "hidden": False, "aria-label": "Pick"}),
    )


def _both(form_class, data):
    ours = form_class(data, renderer=FormRenderer())
    stock = form_class(data, renderer=DjangoTemplates())
    return [(str(ours[name]), str(stock[name])) for name in ours.fields]


def test_selects_render_to_the_characters_of_djangos_templates():
    data = {"plain": "a", "grouped": "pear", "many": ["1", "3"], "numbers": "1000", "flagged": "s"}

    with override("de"):
        pairs = _both(Everything, data) + _both(Everything, {})

    for ours, stock in pairs:
        assert ours == stock
    rendered = "".join(ours for ours, _ in pairs)
    assert 'value="a" selected' in rendered and "A &amp; B" in rendered and "&lt;b&gt;" in rendered
    assert '<optgroup label="Fruit">' in rendered and "Lernende" in rendered and "<i>safe</i>" in rendered


def test_the_run_details_filter_form_is_unchanged():
    data = {"status": "bounced", "category": "block", "subtype": "", "reason": "x"}

    ours = SendFilter(data).form
    ours.renderer = FormRenderer()
    stock = SendFilter(data).form
    stock.renderer = DjangoTemplates()

    assert [str(field) for field in ours] == [str(field) for field in stock]


def test_an_overridden_option_template_is_rendered_by_it():
    class OwnOption(forms.Select):
        option_template_name = "django/forms/widgets/input_option.html"  # any other template

    class Form(forms.Form):
        choice = forms.ChoiceField(choices=[("a", "A")], widget=OwnOption)

    ours, stock = _both(Form, {"choice": "a"})[0]

    assert ours == stock and "<option" not in ours
