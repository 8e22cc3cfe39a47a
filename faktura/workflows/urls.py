from django.urls import path

from faktura.workflows import log_views, step_views, views

app_name = "workflows"

urlpatterns = [
    path("workflows/", views.index, name="index"),
    path("workflows/new/", views.new_workflow, name="new"),
    path("workflows/import/", views.import_workflow, name="import"),
    path("workflows/<int:pk>/", views.workflow_page, name="workflow"),
    path("workflows/<int:pk>/rename/", views.rename, name="rename"),
    path("workflows/<int:pk>/triggers/", views.edit_triggers, name="triggers"),
    path("workflows/<int:pk>/triggers/event/", views.event_row, name="event_row"),
    path("workflows/<int:pk>/publish/", views.publish, name="publish"),
    path("workflows/<int:pk>/turn-on/", views.turn_on, name="turn_on"),
    path("workflows/<int:pk>/turn-off/", views.turn_off, name="turn_off"),
    path("workflows/<int:pk>/export/", views.export, name="export"),
    # The step side panel: pick a type, configure, save, remove.
    path("workflows/<int:pk>/steps/new/", step_views.new_step, name="new_step"),
    path("workflows/<int:pk>/steps/<str:step_id>/", step_views.edit_step, name="edit_step"),
    path(
        "workflows/<int:pk>/steps/<str:step_id>/remove/",
        step_views.remove_step,
        name="remove_step",
    ),
    path("workflows/<int:pk>/branches/group/", step_views.branch_group, name="branch_group"),
    # Enrollment history and the action log (WF-4).
    path("workflows/<int:pk>/enrollments/", log_views.enrollments, name="enrollments"),
    path("workflows/<int:pk>/logs/", log_views.action_logs, name="logs"),
    path("workflows/steps/<int:step_run_id>/retry/", log_views.retry, name="retry"),
]
