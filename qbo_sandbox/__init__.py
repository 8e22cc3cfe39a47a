"""qbo_sandbox: a local QuickBooks Online server that real QuickBooks clients accept unchanged."""
