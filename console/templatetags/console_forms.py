"""The live-call forms' template helpers."""

from django import template

from console.call import callback_draft_key as _callback_draft_key

register = template.Library()


@register.simple_tag
def callback_draft_key(path, customer_id, outage_id):
    """``{% callback_draft_key path customer.pk outage_id %}``: see ``console.call``."""
    return _callback_draft_key(path=path, customer_id=customer_id, outage_id=outage_id)
