"""Routes of the workload pages (workload.urls) for the role walk (same format)."""

from core import roles
from tests.factories import CallbackFactory

ROUTES = {
    "workload:board": ("get", roles.TEAM_LEAD, 200, {}),
    "workload:distribute": ("post", roles.TEAM_LEAD, 400, {}),
    "workload:bulk_assign": ("post", roles.TEAM_LEAD, 400, {}),
    "workload:reassign": ("post", roles.TEAM_LEAD, 400, {"pk": "callback"}),
    "workload:unassign": ("post", roles.TEAM_LEAD, 302, {"pk": "callback"}),
    "workload:agent_duty": ("post", roles.TEAM_LEAD, 400, {"pk": "workload_agent"}),
    "workload:mine": ("get", roles.AGENT, 200, {}),
    "workload:claim": ("post", roles.AGENT, 302, {}),
    "workload:duty": ("post", roles.AGENT, 400, {}),
}


def objects():
    from django.contrib.auth import get_user_model

    return {
        "callback": CallbackFactory().pk,
        "workload_agent": get_user_model().objects.create_user("duty-walk").pk,
    }
