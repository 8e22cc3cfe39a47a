# The sandbox process, a Stripe account of the test's own, and webhooks reaching the live server
# (stripe_payments' fixtures, which tear the endpoint down before the database is flushed).
from faktura.stripe_payments.tests.conftest import stripe_account, webhooks_on  # noqa: F401
from tests.stripe import stripe_sandbox  # noqa: F401
