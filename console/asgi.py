"""The events process: the console on ASGI (uvicorn), for what is asked most often and costs
least to answer. ``/call/live/events/`` (the live-call screens' pushed updates) is answered by
``console.live_stream`` (one queue per open screen, no thread, no database connection while it
waits); ``GET /api/v1/ivr/status`` (the IVR's question for every incoming call) by
``api.ivr_asgi`` (on the event loop, no Django request); any other path goes to Django as
usual. The load balancer sends those two paths here and everything else to gunicorn
(``console.wsgi``), where the same paths are answered too, by Django's views.

    python -m uvicorn console.asgi:application --port 8001     (docker/entrypoint.sh events)
"""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "console.settings")
django_application = get_asgi_application()

# Only once Django is set up: both endpoints use the models.
from api.ivr_asgi import with_ivr_status  # noqa: E402
from console.live_stream import with_events  # noqa: E402

application = with_ivr_status(with_events(django_application))
