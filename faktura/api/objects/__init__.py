"""HubSpot's CRM objects endpoints for every object type (reference §C3): create, read, list,
update, archive, batch create/read/update/upsert/archive and search, with HubSpot's status
codes. Served under /crm/v3/objects/{type} and /crm/objects/2026-03/{type}."""

from ninja import Router

from faktura.api.objects import batches, reads, searching, writes


def build_router(family: str) -> Router:
    """A fresh router (Ninja attaches a router once): one per path family, whose name prefixes
    the operation ids so the OpenAPI schema keeps them unique."""
    router = Router(tags=[f"Objects ({family})"])
    reads.add_list_route(router, family)
    writes.add_create_route(router, family)
    batches.add_routes(router, family)
    searching.add_route(router, family)
    # Last: /{object_type}/{object_id} would otherwise catch /search and /batch/... paths.
    reads.add_record_route(router, family)
    writes.add_record_routes(router, family)
    return router
