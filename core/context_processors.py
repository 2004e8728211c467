from . import roles


def console(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "role": roles.role_name(user),
        "is_team_lead": roles.has_role(user, roles.TEAM_LEAD),
        "is_supervisor": roles.has_role(user, roles.SUPERVISOR),
    }
