"""qbo_sandbox: a local QuickBooks Online server (v3 API, Intuit's OAuth 2) for tests, demos."""
