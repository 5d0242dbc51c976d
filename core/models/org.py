"""Organisation: the company, its departments and its users with roles."""

from __future__ import annotations

import enum

from sqlalchemy import Enum, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.models.base import Base, Timestamped


class Role(enum.StrEnum):
    REP = "rep"
    MANAGER = "manager"
    DIRECTOR = "director"
    FINANCE = "finance"
    ENGINEER = "engineer"
    DEALER = "dealer"
    ADMIN = "admin"


class Company(Base):
    __tablename__ = "companies"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str | None] = mapped_column(String(200))


class Department(Base):
    __tablename__ = "departments"
    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id"))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"))
    name: Mapped[str] = mapped_column(String(100))
    region: Mapped[str | None] = mapped_column(String(50))


class User(Timestamped, Base):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id"))
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"))
    login: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    name_en: Mapped[str | None] = mapped_column(String(100))
    role: Mapped[Role] = mapped_column(Enum(Role, native_enum=False, length=20))
    manager_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    """The direct superior: approvals and escalations climb this chain."""
    phone: Mapped[str | None] = mapped_column(String(32))
    email: Mapped[str | None] = mapped_column(String(200))
    region: Mapped[str | None] = mapped_column(String(50))
    """Sales region (华东, 华北 …) used by lead distribution."""
    expertise: Mapped[str | None] = mapped_column(String(200))
    """Comma-separated product lines (水泵, 电机 …) used by lead distribution."""
    dealer_customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id", use_alter=True))
    """For dealer users: the dealer company (a customer record) whose data they may see."""
    locale: Mapped[str | None] = mapped_column(String(10))
    """Picked by the user; None follows the chat platform's language."""
    timezone: Mapped[str | None] = mapped_column(String(50))
    active: Mapped[bool] = mapped_column(default=True)

    manager: Mapped[User | None] = relationship(remote_side=[id], lazy="raise")

    def display_name(self, locale: str) -> str:
        return self.name_en if locale == "en" and self.name_en else self.name
