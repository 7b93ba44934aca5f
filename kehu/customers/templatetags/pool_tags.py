"""`{% pool_actions customer as actions %}`: which public pool buttons the current user gets on a customer page;
`customer|reclaim_blocked_for:user`: the reclaim rule (`pool_rules.reclaim_blocked`) in templates."""

from django import template

from kehu.customers import pool_queries, pool_rules

register = template.Library()


@register.filter
def reclaim_blocked_for(customer, user) -> bool:
    """`customer|reclaim_blocked_for:user`: the user released it and may not claim it back yet."""
    return pool_rules.reclaim_blocked(user, customer)


@register.simple_tag(takes_context=True)
def pool_actions(context, customer) -> dict:
    user = context["request"].user
    return {
        "release": pool_queries.may_release(user, customer),
        "claim": pool_queries.may_claim(user, customer),
    }
