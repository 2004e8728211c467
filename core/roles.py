"""The three roles and the checks every view makes on the server.

Roles are ranked: a team lead can do what an agent can, a supervisor what a team lead can.
Membership is a Django group; a superuser counts as a supervisor.
"""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied

AGENT = "Agent"
TEAM_LEAD = "Team lead"
SUPERVISOR = "Supervisor"
ROLES = (AGENT, TEAM_LEAD, SUPERVISOR)
RANK = {AGENT: 1, TEAM_LEAD: 2, SUPERVISOR: 3}

# What each group may do in the admin; the console's own checks use the rank above.
GROUP_PERMISSIONS = {
    AGENT: [
        "outages.view_servicearea",
        "outages.view_customer",
        "outages.view_outage",
        "callbacks.view_callbackrequest",
        "callbacks.add_callbackrequest",
        "callbacks.add_callbackattempt",
        "scripts_library.view_script",
    ],
    TEAM_LEAD: [
        "callbacks.change_callbackrequest",
        "callbacks.view_letter",
        "callbacks.change_letter",
        "callbacks.view_callbackattempt",
        "callbacks.view_agentduty",
        "callbacks.change_agentduty",
    ],
    SUPERVISOR: [
        "outages.add_outage",
        "outages.change_outage",
        "outages.view_outageupdate",
        "outages.add_servicearea",
        "outages.change_servicearea",
        "outages.add_coverage",
        "outages.change_coverage",
        "outages.view_coverage",
        "outages.add_customer",
        "outages.change_customer",
        "outages.view_escalation",
        "outages.view_refundreview",
        "outages.change_refundreview",
        "scripts_library.add_script",
        "scripts_library.change_script",
        "scripts_library.view_scriptversion",
        "scripts_library.add_scriptversion",
        # Unlocking logins in the admin (console/migrations/0002_supervisors_unlock_logins).
        "axes.view_accessattempt",
        "axes.delete_accessattempt",
        "axes.view_accessfailurelog",
    ],
}


def permissions_for(role):
    """A role's own permissions plus those of every role below it."""
    codes = []
    for lower in ROLES[: ROLES.index(role) + 1]:
        codes.extend(GROUP_PERMISSIONS[lower])
    return codes


def rank(user):
    """The user's highest role as a number (0: none). Cached on the user for the request."""
    if not user.is_authenticated:
        return 0
    cached = getattr(user, "_console_rank", None)
    if cached is None:
        if user.is_superuser:
            cached = RANK[SUPERVISOR]
        else:
            names = user.groups.values_list("name", flat=True)
            cached = max((RANK.get(name, 0) for name in names), default=0)
        user._console_rank = cached
    return cached


def remember_rank(user, group_rank):
    """Keep the rank read with the user, so ``rank`` needs no query of its own."""
    user._console_rank = RANK[SUPERVISOR] if user.is_superuser else (group_rank or 0)


def has_role(user, role):
    return rank(user) >= RANK[role]


def role_name(user):
    current = rank(user)
    for name, value in RANK.items():
        if value == current:
            return name
    return ""


def role_required(role):
    """Decorate a view: anonymous users go to login, users below ``role`` get 403."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not has_role(request.user, role):
                raise PermissionDenied(f"This page is for {role.lower()}s.")
            return view(request, *args, **kwargs)

        wrapped.required_role = role
        return wrapped

    return decorator


agent_required = role_required(AGENT)
team_lead_required = role_required(TEAM_LEAD)
supervisor_required = role_required(SUPERVISOR)
