"""One base for the refusals services raise, and one way to show them on a form."""


class ServiceError(Exception):
    """A use case refused: ``message`` is for the user, ``field`` names the form field it is
    about (None: the whole form)."""

    def __init__(self, message, *, field=None):
        super().__init__(message)
        self.message = message
        self.field = field

    @property
    def messages(self):
        """Every message to show (a subclass may refuse for several reasons at once)."""
        return [self.message]


def add_error_to_form(form, error):
    """Put a ServiceError beside its field, or on the form when the field is not in it."""
    field = error.field if error.field in form.fields else None
    form.add_error(field, error.messages)
