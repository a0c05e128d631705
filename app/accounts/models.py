"""Tables for people and organisations: Cybersite, Company, User, RoleGrant, Invitation."""

from __future__ import annotations

import enum
import secrets
from datetime import UTC, datetime

from flask_login import UserMixin
from sqlalchemy import (
    CheckConstraint,
    DateTime,
    Enum,
    ForeignKey,
    Index,
    Integer,
    String,
    case,
    func,
)
from sqlalchemy.orm import Mapped, column_property, mapped_column, relationship

from app.core.extensions import db


def utcnow() -> datetime:
    """The current time, timezone-aware, in UTC."""
    return datetime.now(UTC)


class SizeClass(enum.StrEnum):
    """SME size classes by headcount."""

    MICRO = "micro"  # 0–9
    SMALL = "small"  # 10–49
    MEDIUM = "medium"  # 50–249


MAX_SME_HEADCOUNT = 249


class Role(enum.StrEnum):
    """What a person does on the platform; each role is scoped (see ``ROLE_SCOPE``)."""

    LEARNER = "learner"
    COMPANY_MANAGER = "company_manager"
    TRAINER = "trainer"
    CYBERSITE_MANAGER = "cybersite_manager"
    NETWORK_ADMIN = "network_admin"


class Scope(enum.StrEnum):
    """What a role is held over."""

    COMPANY = "company"
    CYBERSITE = "cybersite"
    NETWORK = "network"


ROLE_SCOPE: dict[Role, Scope] = {
    Role.LEARNER: Scope.COMPANY,
    Role.COMPANY_MANAGER: Scope.COMPANY,
    Role.TRAINER: Scope.CYBERSITE,
    Role.CYBERSITE_MANAGER: Scope.CYBERSITE,
    Role.NETWORK_ADMIN: Scope.NETWORK,
}

_role_enum = Enum(
    Role, name="role", native_enum=False, length=32, values_callable=lambda e: [m.value for m in e]
)
_language_check = "language IN ('fr', 'en')"


def _scope_check() -> CheckConstraint:
    """The scope columns a role needs: a company, a Cybersite, or neither."""
    return CheckConstraint(
        "(role IN ('learner', 'company_manager') AND company_id IS NOT NULL AND cybersite_id IS NULL)"
        " OR (role IN ('trainer', 'cybersite_manager') AND cybersite_id IS NOT NULL AND company_id IS NULL)"
        " OR (role = 'network_admin' AND company_id IS NULL AND cybersite_id IS NULL)",
        name="scope_matches_role",
    )


class Cybersite(db.Model):
    """A resource centre that teaches the staff of the SMEs of its area."""

    __tablename__ = "cybersite"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    town: Mapped[str] = mapped_column(String(120))
    departement: Mapped[str] = mapped_column(String(3), index=True)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    companies: Mapped[list[Company]] = relationship(back_populates="cybersite")

    def __repr__(self) -> str:
        return f"<Cybersite {self.id} {self.name!r}>"


class Company(db.Model):
    """An SME followed by a Cybersite."""

    __tablename__ = "company"
    __table_args__ = (
        CheckConstraint("headcount >= 0 AND headcount <= 249", name="headcount_sme"),
        CheckConstraint("length(siret) = 14", name="siret_length"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    legal_name: Mapped[str] = mapped_column(String(200))
    siret: Mapped[str] = mapped_column(String(14), unique=True)
    naf_code: Mapped[str] = mapped_column(String(6), index=True)
    headcount: Mapped[int] = mapped_column(Integer)
    departement: Mapped[str] = mapped_column(String(3), index=True)
    cybersite_id: Mapped[int] = mapped_column(ForeignKey("cybersite.id", ondelete="RESTRICT"), index=True)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    cybersite: Mapped[Cybersite] = relationship(back_populates="companies")

    # Derived from the declared headcount so the two can never disagree; usable in SQL GROUP BY.
    size_class: Mapped[str] = column_property(
        case(
            (headcount <= 9, SizeClass.MICRO.value),
            (headcount <= 49, SizeClass.SMALL.value),
            else_=SizeClass.MEDIUM.value,
        )
    )

    def __repr__(self) -> str:
        return f"<Company {self.id} {self.legal_name!r}>"


class User(UserMixin, db.Model):
    """A person who signs in. The e-mail is stored lower-cased, so uniqueness ignores case."""

    __tablename__ = "user_account"
    __table_args__ = (CheckConstraint(_language_check, name="language"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    display_name: Mapped[str] = mapped_column(String(120))
    language: Mapped[str] = mapped_column(String(2), default="fr")
    active: Mapped[bool] = mapped_column(default=True)
    password_hash: Mapped[str | None] = mapped_column(String(255))
    # Rotated when the password changes or the account is deactivated: every other session ends.
    session_token: Mapped[str] = mapped_column(String(32), default=lambda: secrets.token_hex(16))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    roles: Mapped[list[RoleGrant]] = relationship(
        back_populates="user",
        cascade="all, delete-orphan",
        foreign_keys="RoleGrant.user_id",
        lazy="selectin",
    )

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive accounts
        return self.active

    def get_id(self) -> str:
        return f"{self.id}:{self.session_token}"

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email!r}>"


class RoleGrant(db.Model):
    """One role held by one user over one scope (a company, a Cybersite, or the whole network)."""

    __tablename__ = "role_grant"
    __table_args__ = (_scope_check(),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    role: Mapped[Role] = mapped_column(_role_enum)
    company_id: Mapped[int | None] = mapped_column(ForeignKey("company.id", ondelete="CASCADE"), index=True)
    cybersite_id: Mapped[int | None] = mapped_column(
        ForeignKey("cybersite.id", ondelete="CASCADE"), index=True
    )
    granted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    granted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    user: Mapped[User] = relationship(back_populates="roles", foreign_keys=[user_id])
    company: Mapped[Company | None] = relationship(lazy="joined")
    cybersite: Mapped[Cybersite | None] = relationship(lazy="joined")

    def __repr__(self) -> str:
        return (
            f"<RoleGrant {self.role} user={self.user_id} company={self.company_id} site={self.cybersite_id}>"
        )


# NULLs are distinct in unique constraints on both databases, so the scope is compared as 0 when empty.
Index(
    "uq_role_grant_scope",
    RoleGrant.user_id,
    RoleGrant.role,
    func.coalesce(RoleGrant.company_id, 0),
    func.coalesce(RoleGrant.cybersite_id, 0),
    unique=True,
)


class Invitation(db.Model):
    """An invitation by e-mail to take a role; the invitee sets a password to accept it. Used once."""

    __tablename__ = "invitation"
    __table_args__ = (_scope_check(),)

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), index=True)
    role: Mapped[Role] = mapped_column(_role_enum)
    company_id: Mapped[int | None] = mapped_column(ForeignKey("company.id", ondelete="CASCADE"))
    cybersite_id: Mapped[int | None] = mapped_column(ForeignKey("cybersite.id", ondelete="CASCADE"))
    language: Mapped[str] = mapped_column(String(2), default="fr")
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    accepted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    company: Mapped[Company | None] = relationship(lazy="joined")
    cybersite: Mapped[Cybersite | None] = relationship(lazy="joined")
    invited_by: Mapped[User | None] = relationship(foreign_keys=[invited_by_id])

    @property
    def pending(self) -> bool:
        """Neither accepted nor revoked."""
        return self.accepted_at is None and self.revoked_at is None
