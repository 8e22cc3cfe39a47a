"""The built-in action types; each module registers its own into `registry.action_types`.
Delays and if/then branches are steps the engine itself runs (see `engine.py`)."""

from faktura.workflows.actions import emails, notes, records, webhook  # noqa: F401
