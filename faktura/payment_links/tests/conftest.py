from tests.stripe import stripe_sandbox  # noqa: F401  (the sandbox process fixture)
