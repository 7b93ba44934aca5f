"""The case library's list, declared once: page, API and leak entries (kehu.core.resources)."""

import django_filters
from django.utils.translation import gettext_lazy as _

from kehu.core import resources
from kehu.core.models import DictionaryItem
from kehu.core.resources import Column, Resource, Tab
from kehu.sales.cases import queries
from kehu.sales.cases.models import Case


class CaseFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="filter_q")
    industry = django_filters.ModelChoiceFilter(
        label=_("Industry"),
        queryset=DictionaryItem.objects.filter(dictionary__code="industry"),
    )
    status = django_filters.ChoiceFilter(label=_("Status"), choices=Case.Status.choices)

    class Meta:
        model = Case
        fields = ["q", "industry", "status"]

    def filter_q(self, queryset, name, value):
        return queries.search(queryset, value)


CASES = resources.register(
    Resource(
        key="cases.case",
        model=Case,
        module="cases",
        title=_("Case library"),
        rows=queries.cases_for,
        filterset=CaseFilter,
        main_filters=("q",),
        page_filters=("q", "industry"),
        search_placeholder=_("Problem, solution, products, lessons"),
        sorts={"published": "published_at", "amount": "amount", "created": "created_at"},
        default_sort="-published",
        tabs=[
            Tab("published", _("Case library")),
            Tab("mine", _("My write-ups")),
            Tab("all", _("Everything I can read"), complete=True),
        ],
        default_tab="published",
        pages={"": "cases:list"},
        api="case",
        serializer="kehu.sales.cases.api.CaseSerializer",
        columns=[
            Column(
                "title",
                _("Case"),
                "<a href=\"{% url 'cases:detail' obj.pk %}\">{{ obj.title }}</a>"
                '{% if obj.status != "published" %} <span class="status status-warning">'
                "{{ obj.get_status_display }}</span>{% endif %}",
                title=True,
            ),
            Column("customer", _("Customer"), "{{ obj.customer_label }}"),
            Column("industry", _("Industry"), "{{ obj.industry.label|default:'—' }}"),
            Column(
                "amount", _("Amount"), "{% load kehu_numbers %}{{ obj.amount|money }}", sort="amount", css="text-end"
            ),
            Column("author", _("Written by"), "{{ obj.author.display_name }}"),
            Column("published", _("Published"), '{{ obj.published_at|date:"Y-m-d"|default:"—" }}', sort="published"),
        ],
        marker=lambda case: case.title,
        icon="journal-richtext",
        actions_template="cases/_list_actions.html",
        empty_text=_("No cases yet. Open a won opportunity and write it up as a case."),
        empty_filtered_text=_("No case matches this search."),
    )
)
