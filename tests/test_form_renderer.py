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


class Inputs(forms.Form):
    text = forms.CharField(required=False, widget=forms.TextInput(attrs={"placeholder": 'Say "hi" & <go>'}))
    number = forms.IntegerField(required=False)
    hidden = forms.CharField(widget=forms.HiddenInput, required=False)
    agree = forms.BooleanField(required=False, widget=forms.CheckboxInput(attrs={"aria-label": mark_safe("A &amp; B")}))
    email = forms.EmailField(required=False, widget=forms.EmailInput(attrs={"required": True, "hidden": False}))
    when = forms.DateField(required=False)


def test_inputs_render_to_the_characters_of_djangos_templates():
    data = {"text": "<script>x</script>", "number": "1234", "hidden": 'a"b', "agree": "on", "email": "a@b.example"}

    with override("de"):
        pairs = _both(Inputs, data) + _both(Inputs, {})

    for ours, stock in pairs:
        assert ours == stock
    rendered = "".join(ours for ours, _ in pairs)
    assert 'value="&lt;script&gt;x&lt;/script&gt;"' in rendered and 'type="checkbox"' in rendered
    assert " checked" in rendered and 'aria-label="A &amp; B"' in rendered


def test_the_admins_action_checkbox_is_unchanged():
    from django.contrib.admin import helpers

    attrs = {"class": "action-select", "aria-label": "Select this object for an action - <Message 7>"}
    ours = forms.CheckboxInput(attrs, lambda value: False).render(
        helpers.ACTION_CHECKBOX_NAME, "7", renderer=FormRenderer()
    )
    stock = forms.CheckboxInput(attrs, lambda value: False).render(
        helpers.ACTION_CHECKBOX_NAME, "7", renderer=DjangoTemplates()
    )

    assert (
        ours
        == stock
        == (
            '<input type="checkbox" name="_selected_action" value="7" class="action-select" '
            'aria-label="Select this object for an action - &lt;Message 7&gt;">'
        )
    )
