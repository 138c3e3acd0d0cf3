"""ORM models of the whole store schema, one module per domain.

Importing this package registers every table on ``Base.metadata`` (which the
migrations are checked against).
"""

from defcoop.store.models.agreements import Agreement, AgreementStatus
from defcoop.store.models.base import AXES, CURATION_STATES, FIELD_STATES, Base
from defcoop.store.models.curation import ApiToken, AuditEntry, User
from defcoop.store.models.documents import Document, Segment
from defcoop.store.models.events import Event, EventPartner, Evidence, Participant
from defcoop.store.models.frameworks import (
    Commitment,
    EventFrameworkLink,
    Framework,
    FrameworkRelation,
    Initiative,
    InitiativePillar,
    LineOfEffort,
    Pillar,
    Principle,
)
from defcoop.store.models.registry import GroupMembership, Partner, Person, RoleTenure

__all__ = [
    "AXES",
    "CURATION_STATES",
    "FIELD_STATES",
    "Agreement",
    "AgreementStatus",
    "ApiToken",
    "AuditEntry",
    "Base",
    "Commitment",
    "Document",
    "Event",
    "EventFrameworkLink",
    "EventPartner",
    "Evidence",
    "Framework",
    "FrameworkRelation",
    "GroupMembership",
    "Initiative",
    "InitiativePillar",
    "LineOfEffort",
    "Participant",
    "Partner",
    "Person",
    "Pillar",
    "Principle",
    "RoleTenure",
    "Segment",
    "User",
]
