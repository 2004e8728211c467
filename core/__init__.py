"""The shared kernel: roles, task sending, errors and htmx helpers. It imports no project app."""
