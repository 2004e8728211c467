from django.urls import path

from . import views

app_name = "workload"

urlpatterns = [
    path("board/", views.board, name="board"),
    path("board/distribute/", views.distribute, name="distribute"),
    path("board/assign/", views.bulk_assign, name="bulk_assign"),
    path("board/callbacks/<int:pk>/reassign/", views.reassign, name="reassign"),
    path("board/callbacks/<int:pk>/unassign/", views.unassign, name="unassign"),
    path("board/agents/<int:pk>/duty/", views.agent_duty, name="agent_duty"),
    path("mine/", views.mine, name="mine"),
    path("mine/claim/", views.claim, name="claim"),
    path("mine/duty/", views.duty, name="duty"),
]
