"""Each object type as the HubSpot-shaped API serves it (`faktura.api.adapters.Adapter`)."""
