"""Structured logs: one JSON object a line, with the request id, the user and the Celery task.

The request id and user come from ``core.middleware.RequestLogMiddleware`` (a context variable
set for the length of the request); the task id and name from the Celery task running in this
thread, if any. Everything passed as ``extra=`` to a logging call is kept as its own key."""

import contextvars
import json
import logging
from datetime import UTC, datetime

from celery import current_task

# (request id, username) of the request being served in this thread or task, if any.
request_context = contextvars.ContextVar("request_context", default=None)

# Message headers that carry the sending request's id and user to the task's log lines.
REQUEST_ID_HEADER = "console_request_id"
REQUEST_USER_HEADER = "console_request_user"

# Attributes every LogRecord has: not copied as "extra" fields.
_STANDARD = set(logging.makeLogRecord({}).__dict__) | {"message", "asctime", "taskName"}


def current_task_fields():
    task = current_task
    request = getattr(task, "request", None) if task else None
    task_id = getattr(request, "id", None) if request is not None else None
    if not task_id:
        return {}
    fields = {"task_id": task_id, "task": task.name}
    # The request that sent the task, carried in its message headers (console/celery.py).
    sent_by = getattr(request, REQUEST_ID_HEADER, None)
    if sent_by:
        fields["request_id"] = sent_by
        fields["user"] = getattr(request, REQUEST_USER_HEADER, "") or ""
    return fields


class JsonFormatter(logging.Formatter):
    def format(self, record):
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "process": record.process,
        }
        context = request_context.get()
        if context is not None:
            entry["request_id"], entry["user"] = context
        else:
            entry.update(current_task_fields())
        for key, value in record.__dict__.items():
            if key not in _STANDARD and not key.startswith("_") and key not in entry:
                entry[key] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, default=str, ensure_ascii=False)
