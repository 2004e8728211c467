"""The events process: the console on ASGI (uvicorn), for the live-call screens' pushed
updates. ``/call/live/events/`` is answered by ``console.live_stream`` (one queue per open
screen, no thread, no database connection while it waits); any other path goes to Django as
usual. The load balancer sends that one path here and everything else to gunicorn
(``console.wsgi``).

    python -m uvicorn console.asgi:application --port 8001     (docker/entrypoint.sh events)
"""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "console.settings")
django_application = get_asgi_application()

# Only once Django is set up: the stream uses the models.
from console.live_stream import with_events  # noqa: E402

application = with_events(django_application)
