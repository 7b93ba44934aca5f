from django.urls import path

from kehu.approvals import views

app_name = "approvals"
urlpatterns = [
    path("", views.inbox_todo, name="todo"),
    path("done/", views.inbox_done, name="done"),
    path("mine/", views.inbox_mine, name="mine"),
    path("cc/", views.inbox_cc, name="cc"),
    path("all/", views.inbox_all, name="all"),
    path("<int:pk>/", views.instance_detail, name="instance"),
    path("<int:pk>/withdraw/", views.instance_withdraw, name="withdraw"),
    path("<int:pk>/resubmit/", views.instance_resubmit, name="resubmit"),
    path("<int:pk>/comment/", views.instance_comment, name="comment"),
    path("tasks/<int:pk>/act/", views.task_act, name="act"),
    path("flows/", views.flow_list, name="flows"),
    path("flows/<str:doc_type>/", views.flow_design, name="flow_design"),
    path("flows/<str:doc_type>/preview/", views.flow_preview, name="flow_preview"),
    path("flows/<str:doc_type>/off/", views.flow_turn_off, name="flow_off"),
    path("delegations/", views.delegations, name="delegations"),
    path("delegations/<int:pk>/cancel/", views.delegation_cancel, name="delegation_cancel"),
]
