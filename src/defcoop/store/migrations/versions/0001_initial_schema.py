"""initial schema: the whole data model, designed up front so later issues add to it

Revision ID: 0001
Revises:
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: JSON on SQLite, JSONB on PostgreSQL.
JSON_T = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
#: 64-bit key that is the rowid alias on SQLite (the FTS5 index is keyed on it).
ROWID_T = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "agreements",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("partner_code", sa.String(length=32), nullable=False),
        sa.Column("type", sa.String(length=32), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("name_en", sa.Text(), nullable=True),
        sa.Column("meta", JSON_T, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agreements")),
        sa.UniqueConstraint(
            "partner_code", "type", "name", name=op.f("uq_agreements_partner_code_type_name")
        ),
    )
    op.create_index(
        op.f("ix_agreements_partner_code"), "agreements", ["partner_code"], unique=False
    )
    op.create_index(
        op.f("ix_agreements_type_partner_code"),
        "agreements",
        ["type", "partner_code"],
        unique=False,
    )

    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=255), nullable=False),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("entity", sa.String(length=64), nullable=False),
        sa.Column("entity_id", sa.String(length=64), nullable=False),
        sa.Column("field", sa.String(length=64), nullable=True),
        sa.Column("before", JSON_T, nullable=True),
        sa.Column("after", JSON_T, nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    op.create_index(op.f("ix_audit_log_at"), "audit_log", ["at"], unique=False)
    op.create_index(
        op.f("ix_audit_log_entity_entity_id_at"),
        "audit_log",
        ["entity", "entity_id", "at"],
        unique=False,
    )

    op.create_table(
        "documents",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("doc_key", sa.String(length=255), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("content_hash", sa.String(length=128), nullable=False),
        sa.Column("title", sa.Text(), nullable=True),
        sa.Column("source_path", sa.Text(), nullable=False),
        sa.Column("source_url", sa.Text(), nullable=True),
        sa.Column("media_type", sa.String(length=100), nullable=False),
        sa.Column("encoding", sa.String(length=64), nullable=True),
        sa.Column("language", sa.String(length=16), nullable=False),
        sa.Column("published", sa.String(length=10), nullable=True),
        sa.Column("ingested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("is_current", sa.Boolean(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("char_count", sa.Integer(), nullable=False),
        sa.Column("page_starts", JSON_T, nullable=False),
        sa.Column("meta", JSON_T, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_documents")),
        sa.UniqueConstraint("content_hash", name=op.f("uq_documents_content_hash")),
        sa.UniqueConstraint("doc_key", "version", name=op.f("uq_documents_doc_key_version")),
    )
    op.create_index(op.f("ix_documents_doc_key"), "documents", ["doc_key"], unique=False)
    op.create_index(
        "uq_documents_current_key",
        "documents",
        ["doc_key"],
        unique=True,
        sqlite_where=sa.text("is_current"),
        postgresql_where=sa.text("is_current"),
    )

    op.create_table(
        "events",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("doc_key", sa.String(length=255), nullable=True),
        sa.Column("ordinal", sa.Integer(), nullable=False),
        sa.Column("line", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("date", sa.String(length=10), nullable=True),
        sa.Column("end", sa.String(length=10), nullable=True),
        sa.Column("precision", sa.String(length=16), nullable=False),
        sa.Column("date_from", sa.Date(), nullable=True),
        sa.Column("date_to", sa.Date(), nullable=True),
        sa.Column("count", sa.Integer(), nullable=True),
        sa.Column("modality", sa.String(length=16), nullable=True),
        sa.Column("location", sa.Text(), nullable=True),
        sa.Column("occasion", sa.Text(), nullable=True),
        sa.Column("agreement_type", sa.String(length=32), nullable=True),
        sa.Column("agreement_status", sa.String(length=32), nullable=True),
        sa.Column("agreement_name", sa.Text(), nullable=True),
        sa.Column("jp_role", sa.String(length=32), nullable=True),
        sa.Column("jp_name", sa.Text(), nullable=True),
        sa.Column("summary", sa.Text(), nullable=True),
        sa.Column("quote", sa.Text(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("merged_into_id", sa.String(length=32), nullable=True),
        sa.Column("merge_reason", sa.Text(), nullable=True),
        sa.Column("orphaned", sa.Boolean(), nullable=False),
        sa.Column("provenance", JSON_T, nullable=False),
        sa.Column("axes", JSON_T, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "state IN ('automatic', 'verified', 'corrected', 'rejected', 'manual')",
            name=op.f("ck_events_state"),
        ),
        sa.ForeignKeyConstraint(
            ["merged_into_id"],
            ["events.id"],
            name=op.f("fk_events_merged_into_id_events"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_events")),
    )
    op.create_index(
        op.f("ix_events_agreement_type_agreement_status"),
        "events",
        ["agreement_type", "agreement_status"],
        unique=False,
    )
    op.create_index(op.f("ix_events_date"), "events", ["date"], unique=False)
    op.create_index(
        op.f("ix_events_date_from_date_to"), "events", ["date_from", "date_to"], unique=False
    )
    op.create_index(op.f("ix_events_doc_key"), "events", ["doc_key"], unique=False)
    op.create_index(op.f("ix_events_jp_role"), "events", ["jp_role"], unique=False)
    op.create_index(op.f("ix_events_kind_date_from"), "events", ["kind", "date_from"], unique=False)
    op.create_index(op.f("ix_events_merged_into_id"), "events", ["merged_into_id"], unique=False)
    op.create_index(op.f("ix_events_state"), "events", ["state"], unique=False)

    op.create_table(
        "partners",
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("name_en", sa.Text(), nullable=True),
        sa.Column("name_ja", sa.Text(), nullable=True),
        sa.Column("aliases", JSON_T, nullable=False),
        sa.Column("region", sa.String(length=64), nullable=True),
        sa.Column("iso_numeric", sa.String(length=3), nullable=True),
        sa.Column("meta", JSON_T, nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_partners")),
    )
    op.create_index(op.f("ix_partners_region"), "partners", ["region"], unique=False)

    op.create_table(
        "persons",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("name_reading", sa.Text(), nullable=True),
        sa.Column("name_en", sa.Text(), nullable=True),
        sa.Column("country", sa.String(length=32), nullable=True),
        sa.Column("variants", JSON_T, nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("merged_into_id", sa.String(length=32), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "state IN ('automatic', 'verified', 'corrected', 'rejected', 'manual')",
            name=op.f("ck_persons_state"),
        ),
        sa.ForeignKeyConstraint(
            ["merged_into_id"],
            ["persons.id"],
            name=op.f("fk_persons_merged_into_id_persons"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_persons")),
    )
    op.create_index(op.f("ix_persons_country"), "persons", ["country"], unique=False)
    op.create_index(op.f("ix_persons_name"), "persons", ["name"], unique=False)

    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("password_hash", sa.Text(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("role IN ('viewer', 'editor', 'admin')", name=op.f("ck_users_role")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("name", name=op.f("uq_users_name")),
    )
    op.create_table(
        "api_tokens",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.Text(), nullable=True),
        sa.Column("prefix", sa.String(length=16), nullable=False),
        sa.Column("token_hash", sa.String(length=255), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_api_tokens_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_tokens")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_api_tokens_token_hash")),
    )
    op.create_index(op.f("ix_api_tokens_user_id"), "api_tokens", ["user_id"], unique=False)

    op.create_table(
        "event_participants",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("event_id", sa.String(length=32), nullable=False),
        sa.Column("ordinal", sa.Integer(), nullable=False),
        sa.Column("side", sa.String(length=16), nullable=False),
        sa.Column("partner_code", sa.String(length=32), nullable=True),
        sa.Column("person_id", sa.String(length=32), nullable=True),
        sa.Column("role_code", sa.String(length=32), nullable=True),
        sa.Column("title", sa.Text(), nullable=True),
        sa.Column("name", sa.Text(), nullable=True),
        sa.Column("former", sa.Boolean(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("provenance", JSON_T, nullable=False),
        sa.CheckConstraint("side IN ('jp', 'partner')", name=op.f("ck_event_participants_side")),
        sa.CheckConstraint(
            "state IN ('automatic', 'verified', 'corrected', 'rejected', 'manual')",
            name=op.f("ck_event_participants_state"),
        ),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["events.id"],
            name=op.f("fk_event_participants_event_id_events"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["persons.id"],
            name=op.f("fk_event_participants_person_id_persons"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_event_participants")),
    )
    op.create_index(
        op.f("ix_event_participants_event_id"), "event_participants", ["event_id"], unique=False
    )
    op.create_index(
        op.f("ix_event_participants_partner_code"),
        "event_participants",
        ["partner_code"],
        unique=False,
    )
    op.create_index(
        op.f("ix_event_participants_person_id"), "event_participants", ["person_id"], unique=False
    )
    op.create_index(
        op.f("ix_event_participants_role_code"), "event_participants", ["role_code"], unique=False
    )

    op.create_table(
        "event_partners",
        sa.Column("event_id", sa.String(length=32), nullable=False),
        sa.Column("partner_code", sa.String(length=32), nullable=False),
        sa.Column("rule", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["events.id"],
            name=op.f("fk_event_partners_event_id_events"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("event_id", "partner_code", name=op.f("pk_event_partners")),
    )
    op.create_index(
        op.f("ix_event_partners_partner_code_event_id"),
        "event_partners",
        ["partner_code", "event_id"],
        unique=False,
    )

    op.create_table(
        "frameworks",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("name_ja", sa.Text(), nullable=True),
        sa.Column("name_en", sa.Text(), nullable=True),
        sa.Column("adopted", sa.String(length=10), nullable=True),
        sa.Column("occasion", sa.Text(), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("meta", JSON_T, nullable=False),
        sa.Column("source_start", sa.Integer(), nullable=True),
        sa.Column("source_end", sa.Integer(), nullable=True),
        sa.Column("source_line", sa.Integer(), nullable=True),
        sa.Column("source_note", sa.Text(), nullable=True),
        sa.Column("source_document_id", sa.String(length=32), nullable=True),
        sa.ForeignKeyConstraint(
            ["source_document_id"],
            ["documents.id"],
            name=op.f("fk_frameworks_source_document_id_documents"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_frameworks")),
    )
    op.create_table(
        "group_memberships",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("group_code", sa.String(length=32), nullable=False),
        sa.Column("member_code", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("start", sa.Date(), nullable=True),
        sa.Column("end", sa.Date(), nullable=True),
        sa.Column("source", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "status IN ('member', 'observer')", name=op.f("ck_group_memberships_status")
        ),
        sa.ForeignKeyConstraint(
            ["group_code"],
            ["partners.code"],
            name=op.f("fk_group_memberships_group_code_partners"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["member_code"],
            ["partners.code"],
            name=op.f("fk_group_memberships_member_code_partners"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_group_memberships")),
    )
    op.create_index(
        op.f("ix_group_memberships_group_code_start_end"),
        "group_memberships",
        ["group_code", "start", "end"],
        unique=False,
    )
    op.create_index(
        op.f("ix_group_memberships_member_code"), "group_memberships", ["member_code"], unique=False
    )

    op.create_table(
        "segments",
        sa.Column("id", ROWID_T, autoincrement=False, nullable=False),
        sa.Column("document_id", sa.String(length=32), nullable=False),
        sa.Column("index", sa.Integer(), nullable=False),
        sa.Column("start", sa.Integer(), nullable=False),
        sa.Column("end", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("section_path", JSON_T, nullable=False),
        sa.Column("section_id", sa.Integer(), nullable=False),
        sa.Column("line", sa.Integer(), nullable=False),
        sa.Column("page", sa.Integer(), nullable=True),
        sa.Column("sentences", JSON_T, nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["documents.id"],
            name=op.f("fk_segments_document_id_documents"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_segments")),
        sa.UniqueConstraint("document_id", "index", name=op.f("uq_segments_document_id_index")),
    )
    op.create_index(op.f("ix_segments_document_id"), "segments", ["document_id"], unique=False)
    op.create_index(
        op.f("ix_segments_document_id_kind"), "segments", ["document_id", "kind"], unique=False
    )

    op.create_table(
        "evidence",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("event_id", sa.String(length=32), nullable=False),
        sa.Column("document_id", sa.String(length=32), nullable=False),
        sa.Column("segment_id", ROWID_T, nullable=True),
        sa.Column("start", sa.Integer(), nullable=False),
        sa.Column("end", sa.Integer(), nullable=False),
        sa.Column("line", sa.Integer(), nullable=False),
        sa.Column("page", sa.Integer(), nullable=True),
        sa.Column("quote", sa.Text(), nullable=False),
        sa.Column("rules", JSON_T, nullable=False),
        sa.Column("origin", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["documents.id"],
            name=op.f("fk_evidence_document_id_documents"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["events.id"],
            name=op.f("fk_evidence_event_id_events"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["segment_id"],
            ["segments.id"],
            name=op.f("fk_evidence_segment_id_segments"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_evidence")),
    )
    op.create_index(op.f("ix_evidence_document_id"), "evidence", ["document_id"], unique=False)
    op.create_index(op.f("ix_evidence_event_id"), "evidence", ["event_id"], unique=False)
    op.create_index(op.f("ix_evidence_segment_id"), "evidence", ["segment_id"], unique=False)

    op.create_table(
        "framework_relations",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("source_framework_id", sa.String(length=64), nullable=False),
        sa.Column("target_framework_id", sa.String(length=64), nullable=False),
        sa.Column("relation", sa.String(length=64), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("source_start", sa.Integer(), nullable=True),
        sa.Column("source_end", sa.Integer(), nullable=True),
        sa.Column("source_line", sa.Integer(), nullable=True),
        sa.Column("source_note", sa.Text(), nullable=True),
        sa.Column("source_document_id", sa.String(length=32), nullable=True),
        sa.ForeignKeyConstraint(
            ["source_document_id"],
            ["documents.id"],
            name=op.f("fk_framework_relations_source_document_id_documents"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["source_framework_id"],
            ["frameworks.id"],
            name=op.f("fk_framework_relations_source_framework_id_frameworks"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["target_framework_id"],
            ["frameworks.id"],
            name=op.f("fk_framework_relations_target_framework_id_frameworks"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_framework_relations")),
    )
    op.create_index(
        op.f("ix_framework_relations_source_framework_id"),
        "framework_relations",
        ["source_framework_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_framework_relations_target_framework_id"),
        "framework_relations",
        ["target_framework_id"],
        unique=False,
    )

    op.create_table(
        "pillars",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("framework_id", sa.String(length=64), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("title_ja", sa.Text(), nullable=True),
        sa.Column("title_en", sa.Text(), nullable=True),
        sa.Column("areas", JSON_T, nullable=False),
        sa.Column("source_start", sa.Integer(), nullable=True),
        sa.Column("source_end", sa.Integer(), nullable=True),
        sa.Column("source_line", sa.Integer(), nullable=True),
        sa.Column("source_note", sa.Text(), nullable=True),
        sa.Column("source_document_id", sa.String(length=32), nullable=True),
        sa.ForeignKeyConstraint(
            ["framework_id"],
            ["frameworks.id"],
            name=op.f("fk_pillars_framework_id_frameworks"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["source_document_id"],
            ["documents.id"],
            name=op.f("fk_pillars_source_document_id_documents"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pillars")),
        sa.UniqueConstraint("framework_id", "number", name=op.f("uq_pillars_framework_id_number")),
    )
    op.create_index(op.f("ix_pillars_framework_id"), "pillars", ["framework_id"], unique=False)

    op.create_table(
        "principles",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("framework_id", sa.String(length=64), nullable=False),
        sa.Column("ordinal", sa.Integer(), nullable=False),
        sa.Column("text_ja", sa.Text(), nullable=True),
        sa.Column("text_en", sa.Text(), nullable=True),
        sa.Column("source_start", sa.Integer(), nullable=True),
        sa.Column("source_end", sa.Integer(), nullable=True),
        sa.Column("source_line", sa.Integer(), nullable=True),
        sa.Column("source_note", sa.Text(), nullable=True),
        sa.Column("source_document_id", sa.String(length=32), nullable=True),
        sa.ForeignKeyConstraint(
            ["framework_id"],
            ["frameworks.id"],
            name=op.f("fk_principles_framework_id_frameworks"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["source_document_id"],
            ["documents.id"],
            name=op.f("fk_principles_source_document_id_documents"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_principles")),
    )
    op.create_index(
        op.f("ix_principles_framework_id"), "principles", ["framework_id"], unique=False
    )

    op.create_table(
        "agreement_statuses",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("agreement_id", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("date", sa.String(length=10), nullable=True),
        sa.Column("date_from", sa.Date(), nullable=True),
        sa.Column("source_event_id", sa.String(length=32), nullable=True),
        sa.Column("evidence_id", sa.String(length=32), nullable=True),
        sa.Column("rule", sa.Text(), nullable=True),
        sa.Column("curated", sa.Boolean(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "state IN ('automatic', 'verified', 'corrected', 'rejected', 'manual')",
            name=op.f("ck_agreement_statuses_state"),
        ),
        sa.ForeignKeyConstraint(
            ["agreement_id"],
            ["agreements.id"],
            name=op.f("fk_agreement_statuses_agreement_id_agreements"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["evidence_id"],
            ["evidence.id"],
            name=op.f("fk_agreement_statuses_evidence_id_evidence"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["source_event_id"],
            ["events.id"],
            name=op.f("fk_agreement_statuses_source_event_id_events"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agreement_statuses")),
    )
    op.create_index(
        op.f("ix_agreement_statuses_agreement_id"),
        "agreement_statuses",
        ["agreement_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_agreement_statuses_source_event_id"),
        "agreement_statuses",
        ["source_event_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_agreement_statuses_status_date_from"),
        "agreement_statuses",
        ["status", "date_from"],
        unique=False,
    )

    op.create_table(
        "commitments",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("framework_id", sa.String(length=64), nullable=True),
        sa.Column("pillar_id", sa.String(length=32), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("amount", sa.Numeric(precision=24, scale=4), nullable=True),
        sa.Column("currency", sa.String(length=8), nullable=True),
        sa.Column("unit", sa.String(length=32), nullable=True),
        sa.Column("qualifier", sa.String(length=32), nullable=True),
        sa.Column("period", sa.String(length=32), nullable=True),
        sa.Column("date", sa.String(length=10), nullable=True),
        sa.Column("amount_text", sa.Text(), nullable=True),
        sa.Column("source_start", sa.Integer(), nullable=True),
        sa.Column("source_end", sa.Integer(), nullable=True),
        sa.Column("source_line", sa.Integer(), nullable=True),
        sa.Column("source_note", sa.Text(), nullable=True),
        sa.Column("source_document_id", sa.String(length=32), nullable=True),
        sa.ForeignKeyConstraint(
            ["framework_id"],
            ["frameworks.id"],
            name=op.f("fk_commitments_framework_id_frameworks"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["pillar_id"],
            ["pillars.id"],
            name=op.f("fk_commitments_pillar_id_pillars"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["source_document_id"],
            ["documents.id"],
            name=op.f("fk_commitments_source_document_id_documents"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_commitments")),
    )
    op.create_index(
        op.f("ix_commitments_framework_id"), "commitments", ["framework_id"], unique=False
    )

    op.create_table(
        "lines_of_effort",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("pillar_id", sa.String(length=32), nullable=False),
        sa.Column("ordinal", sa.Integer(), nullable=False),
        sa.Column("title_ja", sa.Text(), nullable=True),
        sa.Column("title_en", sa.Text(), nullable=True),
        sa.Column("source_start", sa.Integer(), nullable=True),
        sa.Column("source_end", sa.Integer(), nullable=True),
        sa.Column("source_line", sa.Integer(), nullable=True),
        sa.Column("source_note", sa.Text(), nullable=True),
        sa.Column("source_document_id", sa.String(length=32), nullable=True),
        sa.ForeignKeyConstraint(
            ["pillar_id"],
            ["pillars.id"],
            name=op.f("fk_lines_of_effort_pillar_id_pillars"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["source_document_id"],
            ["documents.id"],
            name=op.f("fk_lines_of_effort_source_document_id_documents"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lines_of_effort")),
    )
    op.create_index(
        op.f("ix_lines_of_effort_pillar_id"), "lines_of_effort", ["pillar_id"], unique=False
    )

    op.create_table(
        "role_tenures",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("person_id", sa.String(length=32), nullable=False),
        sa.Column("role", sa.String(length=128), nullable=False),
        sa.Column("country", sa.String(length=32), nullable=True),
        sa.Column("start", sa.String(length=10), nullable=True),
        sa.Column("end", sa.String(length=10), nullable=True),
        sa.Column("start_from", sa.Date(), nullable=True),
        sa.Column("end_to", sa.Date(), nullable=True),
        sa.Column("basis", sa.String(length=16), nullable=False),
        sa.Column("evidence_id", sa.String(length=32), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "basis IN ('source', 'inferred', 'curated')", name=op.f("ck_role_tenures_basis")
        ),
        sa.ForeignKeyConstraint(
            ["evidence_id"],
            ["evidence.id"],
            name=op.f("fk_role_tenures_evidence_id_evidence"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["persons.id"],
            name=op.f("fk_role_tenures_person_id_persons"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_role_tenures")),
    )
    op.create_index(op.f("ix_role_tenures_person_id"), "role_tenures", ["person_id"], unique=False)
    op.create_index(
        op.f("ix_role_tenures_role_country_start_from_end_to"),
        "role_tenures",
        ["role", "country", "start_from", "end_to"],
        unique=False,
    )

    op.create_table(
        "initiatives",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("framework_id", sa.String(length=64), nullable=False),
        sa.Column("line_of_effort_id", sa.String(length=32), nullable=True),
        sa.Column("ordinal", sa.Integer(), nullable=False),
        sa.Column("name_ja", sa.Text(), nullable=True),
        sa.Column("name_en", sa.Text(), nullable=True),
        sa.Column("new", sa.Boolean(), nullable=False),
        sa.Column("cues", JSON_T, nullable=False),
        sa.Column("status_override", sa.String(length=32), nullable=True),
        sa.Column("status_note", sa.Text(), nullable=True),
        sa.Column("source_start", sa.Integer(), nullable=True),
        sa.Column("source_end", sa.Integer(), nullable=True),
        sa.Column("source_line", sa.Integer(), nullable=True),
        sa.Column("source_note", sa.Text(), nullable=True),
        sa.Column("source_document_id", sa.String(length=32), nullable=True),
        sa.ForeignKeyConstraint(
            ["framework_id"],
            ["frameworks.id"],
            name=op.f("fk_initiatives_framework_id_frameworks"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["line_of_effort_id"],
            ["lines_of_effort.id"],
            name=op.f("fk_initiatives_line_of_effort_id_lines_of_effort"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["source_document_id"],
            ["documents.id"],
            name=op.f("fk_initiatives_source_document_id_documents"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_initiatives")),
    )
    op.create_index(
        op.f("ix_initiatives_framework_id"), "initiatives", ["framework_id"], unique=False
    )

    op.create_table(
        "event_framework_links",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("event_id", sa.String(length=32), nullable=False),
        sa.Column("framework_id", sa.String(length=64), nullable=False),
        sa.Column("pillar_id", sa.String(length=32), nullable=True),
        sa.Column("initiative_id", sa.String(length=32), nullable=True),
        sa.Column("rule", sa.Text(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "state IN ('automatic', 'verified', 'corrected', 'rejected', 'manual')",
            name=op.f("ck_event_framework_links_state"),
        ),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["events.id"],
            name=op.f("fk_event_framework_links_event_id_events"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["framework_id"],
            ["frameworks.id"],
            name=op.f("fk_event_framework_links_framework_id_frameworks"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["initiative_id"],
            ["initiatives.id"],
            name=op.f("fk_event_framework_links_initiative_id_initiatives"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["pillar_id"],
            ["pillars.id"],
            name=op.f("fk_event_framework_links_pillar_id_pillars"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_event_framework_links")),
    )
    op.create_index(
        op.f("ix_event_framework_links_event_id"),
        "event_framework_links",
        ["event_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_event_framework_links_framework_id"),
        "event_framework_links",
        ["framework_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_event_framework_links_initiative_id"),
        "event_framework_links",
        ["initiative_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_event_framework_links_pillar_id"),
        "event_framework_links",
        ["pillar_id"],
        unique=False,
    )

    op.create_table(
        "initiative_pillars",
        sa.Column("initiative_id", sa.String(length=32), nullable=False),
        sa.Column("pillar_id", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["initiative_id"],
            ["initiatives.id"],
            name=op.f("fk_initiative_pillars_initiative_id_initiatives"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["pillar_id"],
            ["pillars.id"],
            name=op.f("fk_initiative_pillars_pillar_id_pillars"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("initiative_id", "pillar_id", name=op.f("pk_initiative_pillars")),
    )
    op.create_index(
        op.f("ix_initiative_pillars_pillar_id"), "initiative_pillars", ["pillar_id"], unique=False
    )

    _create_text_search()


def _create_text_search() -> None:
    """Japanese needs n-gram search: FTS5 trigram on SQLite, pg_trgm GIN on PostgreSQL."""
    if op.get_bind().dialect.name == "sqlite":
        op.execute(
            "CREATE VIRTUAL TABLE segments_fts USING fts5("
            "text, content='segments', content_rowid='id', tokenize='trigram')"
        )
        op.execute(
            "CREATE TRIGGER segments_fts_ai AFTER INSERT ON segments BEGIN "
            "INSERT INTO segments_fts(rowid, text) VALUES (new.id, new.text); END"
        )
        op.execute(
            "CREATE TRIGGER segments_fts_ad AFTER DELETE ON segments BEGIN "
            "INSERT INTO segments_fts(segments_fts, rowid, text) "
            "VALUES ('delete', old.id, old.text); END"
        )
        op.execute(
            "CREATE TRIGGER segments_fts_au AFTER UPDATE OF text ON segments BEGIN "
            "INSERT INTO segments_fts(segments_fts, rowid, text) "
            "VALUES ('delete', old.id, old.text); "
            "INSERT INTO segments_fts(rowid, text) VALUES (new.id, new.text); END"
        )
    else:
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        op.execute("CREATE INDEX ix_segments_text_trgm ON segments USING gin (text gin_trgm_ops)")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for trigger in ("segments_fts_ai", "segments_fts_ad", "segments_fts_au"):
            op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
        op.execute("DROP TABLE IF EXISTS segments_fts")
    else:
        op.execute("DROP INDEX IF EXISTS ix_segments_text_trgm")
    op.drop_table("initiative_pillars")
    op.drop_table("event_framework_links")
    op.drop_table("initiatives")
    op.drop_table("role_tenures")
    op.drop_table("lines_of_effort")
    op.drop_table("commitments")
    op.drop_table("agreement_statuses")
    op.drop_table("principles")
    op.drop_table("pillars")
    op.drop_table("framework_relations")
    op.drop_table("evidence")
    op.drop_table("segments")
    op.drop_table("group_memberships")
    op.drop_table("frameworks")
    op.drop_table("event_partners")
    op.drop_table("event_participants")
    op.drop_table("api_tokens")
    op.drop_table("users")
    op.drop_table("persons")
    op.drop_table("partners")
    op.drop_table("events")
    op.drop_table("documents")
    op.drop_table("audit_log")
    op.drop_table("agreements")
