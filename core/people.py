"""How the console names a person: one rule for pages, timelines and scripts."""


def display_name(user):
    """A user the way colleagues know them: the full name, else the login name."""
    return user.get_full_name() or user.get_username()
