from django.urls import path, register_converter

from faktura.core.properties import ObjectType
from faktura.listings import views
from faktura.listings.defaults import defaults_for, object_type_at

app_name = "listings"


class ObjectTypePath:
    """An index page's first path segment: matches only registered object types, so other
    apps' single-segment URLs are never taken."""

    regex = "[a-z_]+"

    def to_python(self, value: str) -> ObjectType:
        object_type = object_type_at(value)
        if object_type is None:
            raise ValueError(value)
        return object_type

    def to_url(self, value: ObjectType | str) -> str:
        return value if isinstance(value, str) else defaults_for(value).path


register_converter(ObjectTypePath, "listing")

urlpatterns = [
    path("<listing:object_type>/", views.index, name="index"),
    path("<listing:object_type>/filters/row/", views.filter_row, name="filter_row"),
    path("<listing:object_type>/filters/group/", views.filter_group, name="filter_group"),
    path("<listing:object_type>/columns/", views.edit_columns, name="columns"),
    path("<listing:object_type>/views/new/", views.new_view, name="new_view"),
    path(
        "<listing:object_type>/views/<int:view_id>/save/",
        views.save_view_changes,
        name="save_view",
    ),
    path("<listing:object_type>/views/<int:view_id>/edit/", views.edit_view, name="edit_view"),
    path(
        "<listing:object_type>/views/<int:view_id>/delete/", views.delete_view, name="delete_view"
    ),
    path("<listing:object_type>/export/", views.new_export, name="export"),
    path("exports/<int:export_id>/", views.export_status, name="export_status"),
    path("exports/<int:export_id>/download/", views.download_export, name="download"),
]
