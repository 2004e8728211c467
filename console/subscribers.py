"""The live-call screen listens to outages: each change is pushed to the open screens of the
areas it concerns (``console.live_events``)."""

from outages import events

from . import live_events


@events.on_outage_changed
def outage_changed(*, outage_id):
    live_events.publish_outage_changed(outage_id=outage_id)
