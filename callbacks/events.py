"""The domain events callbacks announces, after the filing's or the attempt's transaction
commits. Subscribers (``notifications.subscribers``) register at start-up."""

_filed = []
_answered = []


def on_callback_filed(handler):
    _filed.append(handler)
    return handler


def on_callback_answered(handler):
    _answered.append(handler)
    return handler


def announce_callback_filed(*, callback_id):
    for handler in _filed:
        handler(callback_id=callback_id)


def announce_callback_answered(*, callback_id):
    for handler in _answered:
        handler(callback_id=callback_id)
