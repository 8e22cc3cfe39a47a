"""Who or what made a change: recorded on every history row (INV-16, INV-32)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db import models

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser


class ActorKind(models.TextChoices):
    USER = "user", "User"
    API = "api", "API"
    WORKFLOW = "workflow", "Workflow"
    INTEGRATION = "integration", "Integration"
    SYSTEM = "system", "System"


@dataclass(frozen=True)
class Actor:
    kind: ActorKind
    user: AbstractBaseUser | None = None
    label: str = ""

    @classmethod
    def for_user(cls, user: AbstractBaseUser) -> Actor:
        return cls(ActorKind.USER, user, user.get_username())

    @classmethod
    def api(cls, user: AbstractBaseUser | None = None, label: str = "API") -> Actor:
        return cls(ActorKind.API, user, label)

    @classmethod
    def workflow(cls, label: str) -> Actor:
        return cls(ActorKind.WORKFLOW, None, label)

    @classmethod
    def integration(cls, label: str) -> Actor:
        return cls(ActorKind.INTEGRATION, None, label)

    @classmethod
    def system(cls, label: str = "Faktura") -> Actor:
        return cls(ActorKind.SYSTEM, None, label)

    def describe(self) -> str:
        return f"{self.kind.label}: {self.label}" if self.label else str(self.kind.label)
