from django.urls import path

from . import views

app_name = "outages"

urlpatterns = [
    path("", views.board, name="board"),
    path("declare/", views.declare, name="declare"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/update/", views.post_update, name="update"),
    path("<int:pk>/etr/", views.change_etr, name="change_etr"),
    path("<int:pk>/restore/", views.restore, name="restore"),
    path("<int:pk>/ivr/", views.set_ivr, name="set_ivr"),
    path("<int:pk>/reopen/", views.reopen, name="reopen"),
    path("<int:pk>/close/", views.close, name="close"),
    path("refund-reviews/", views.refund_reviews, name="refund_reviews"),
    path("refund-reviews/<int:pk>/reviewed/", views.refund_review_mark, name="refund_review_mark"),
]
