"""The callback pages under ``/callbacks/``: the queue by deadline, the escalated callbacks,
one callback's page and its actions, the letters and the call logs. The namespace is
``callbacks`` (every link reads ``callbacks:...``), as the pages are about callbacks."""

from django.urls import path

from . import views

app_name = "callbacks"

urlpatterns = [
    path("queue/", views.queue, name="queue"),
    path("escalations/", views.escalations, name="escalations"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/attempt/", views.record_attempt, name="record_attempt"),
    path("<int:pk>/cancel/", views.cancel, name="cancel"),
    path("<int:pk>/reopen/", views.reopen, name="reopen"),
    path("<int:pk>/numbers/", views.numbers, name="numbers"),
    path("<int:pk>/window/", views.window, name="window"),
    path("<int:pk>/escalate/", views.escalate, name="escalate"),
    path("letters/", views.letters, name="letters"),
    path("letters/batch.pdf", views.letters_batch_pdf, name="letters_batch_pdf"),
    path("letters/batch.csv", views.letters_batch_csv, name="letters_batch_csv"),
    path("letters/batch/sent/", views.letters_batch_sent, name="letters_batch_sent"),
    path("letters/<int:pk>/", views.letter_print, name="letter_print"),
    path("letters/<int:pk>/sent/", views.letter_mark_sent, name="letter_mark_sent"),
    path("call-logs/", views.call_logs, name="call_logs"),
]
