from django import template

from kehu.core import metrics
from kehu.core.templatetags.kehu_numbers import figure

register = template.Library()


@register.filter
def metric_label(key):
    metric = metrics.get(key)
    return metric.label if metric else key


@register.filter
def target_amount(target):
    metric = metrics.get(target.metric)
    return figure(target.amount, metric.unit if metric else "money")
