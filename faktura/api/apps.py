from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "faktura.api"
    label = "api"
    verbose_name = "API"

    def ready(self) -> None:
        from faktura.api.parsing import API_PREFIXES, refused_query
        from faktura.core.query_text import refusal_responses

        # A refused address or query string under the API's paths gets the API's error body.
        for prefix in API_PREFIXES:
            refusal_responses[prefix] = refused_query
