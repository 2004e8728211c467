from django.apps import AppConfig

from scripts_library import context as script_context

from . import conf, subscribers


class CallbacksConfig(AppConfig):
    name = "callbacks"
    verbose_name = "Callbacks"

    def ready(self):
        # Subscribe to the domain events outages announces; the sweep backs them up.
        subscribers.subscribe()
        # Scripts promise callbacks (<Callback Deadline>) by the target this app owns.
        script_context.use_callback_target(conf.callback_target)
