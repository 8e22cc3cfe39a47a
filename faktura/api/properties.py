"""GET /crm/v3/properties/{type}: the declared properties in HubSpot's property shape."""

from typing import Any

from django.http import HttpRequest
from ninja import Router

from faktura.api.errors import ApiError
from faktura.api.objects.records import ERRORS, checked_adapter
from faktura.api.schemas import PropertyCollection, PropertyOut
from faktura.core.properties import Property
from faktura.core.properties import PropertyType as T

FIELD_TYPES = {
    T.STRING: "text",
    T.NUMBER: "number",
    T.ENUMERATION: "select",
    T.BOOL: "booleancheckbox",
    T.DATE: "date",
    T.DATETIME: "date",
}


def describe(prop: Property, order: int, group: str) -> dict[str, Any]:
    return {
        "name": prop.name,
        "label": prop.label,
        "type": prop.type.value,
        "fieldType": FIELD_TYPES[prop.type],
        "description": prop.description,
        "groupName": group,
        "options": [
            {"label": o.label, "value": o.value, "displayOrder": i, "hidden": False}
            for i, o in enumerate(prop.options)
        ],
        "displayOrder": order,
        "calculated": prop.compute is not None,
        "hasUniqueValue": prop.name == "hs_object_id",
        "hidden": False,
        "hubspotDefined": True,
        "modificationMetadata": {
            "archivable": False,
            "readOnlyDefinition": True,
            "readOnlyValue": prop.read_only or prop.compute is not None,
        },
        "formField": not prop.read_only,
        "archived": False,
    }


def build_router(family: str) -> Router:
    router = Router(tags=[f"Properties ({family})"])

    @router.get(
        "/{object_type}",
        response={200: PropertyCollection, **ERRORS},
        operation_id=f"{family}_list_properties",
    )
    def list_properties(request: HttpRequest, object_type: str) -> Any:
        adapter = checked_adapter(request, object_type, write=False)
        group = f"{adapter.object_type.singular}information"
        return {
            "results": [describe(p, i, group) for i, p in enumerate(adapter.object_type.properties)]
        }

    @router.get(
        "/{object_type}/{property_name}",
        response={200: PropertyOut, **ERRORS},
        operation_id=f"{family}_read_property",
    )
    def read_property(request: HttpRequest, object_type: str, property_name: str) -> Any:
        adapter = checked_adapter(request, object_type, write=False)
        properties = adapter.object_type.properties
        for order, prop in enumerate(properties):
            if prop.name == property_name:
                return describe(prop, order, f"{adapter.object_type.singular}information")
        raise ApiError(
            404,
            f"Property {property_name} does not exist on {adapter.name}.",
            "OBJECT_NOT_FOUND",
        )

    return router
