def escalations(request):
    """Open escalations, for the header of every page a supervisor sees."""
    return {}
