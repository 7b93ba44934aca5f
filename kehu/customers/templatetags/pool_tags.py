"""`{% pool_actions customer as actions %}`: which public pool buttons the current user gets on a customer page."""

from django import template

from kehu.customers import pool

register = template.Library()


@register.simple_tag(takes_context=True)
def pool_actions(context, customer) -> dict:
    user = context["request"].user
    return {
        "release": pool.may_release(user, customer),
        "claim": pool.may_claim(user, customer),
    }
