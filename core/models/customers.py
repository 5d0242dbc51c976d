"""Customers, their grades and their contacts."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

from sqlalchemy import Enum, Float, ForeignKey, Index, String, Text, event
from sqlalchemy.orm import Mapped, mapped_column

from core.models.base import Base, Timestamped
from core.search.normalize import search_text


class CustomerType(enum.StrEnum):
    DEALER = "dealer"
    END_CUSTOMER = "end_customer"
    OEM_ODM = "oem_odm"
    PROJECT = "project"


class CustomerGrade(Base):
    """A configurable grade (战略/重点/一般/潜在) with its follow-up rhythm."""

    __tablename__ = "customer_grades"
    code: Mapped[str] = mapped_column(String(20), primary_key=True)
    name_zh: Mapped[str] = mapped_column(String(20))
    name_en: Mapped[str] = mapped_column(String(40))
    follow_up_days: Mapped[int]
    """Days after a contact until the next one is due (重点 = 3)."""
    recycle_days: Mapped[int]
    """Days without contact after which the customer returns to the public pool."""
    rank: Mapped[int] = mapped_column(default=0)


class Customer(Timestamped, Base):
    __tablename__ = "customers"
    __table_args__ = (
        Index("ix_customers_owner_next", "owner_id", "next_contact_at"),
        Index("ix_customers_lat_lon", "lat", "lon"),
        Index("ix_customers_next_contact", "next_contact_at", "id"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    """By coding rule: industry-region-serial, e.g. 机械-华东-001."""
    name: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str | None] = mapped_column(String(200))
    aliases: Mapped[list[Any]] = mapped_column(default=list)
    type: Mapped[CustomerType] = mapped_column(Enum(CustomerType, native_enum=False, length=20))
    grade_code: Mapped[str] = mapped_column(ForeignKey("customer_grades.code"))
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    """None means the customer is in the public pool (公海)."""
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id"))
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    geofence_radius_m: Mapped[float | None] = mapped_column(Float)
    """Overrides the default check-in radius for this site."""
    address: Mapped[str | None] = mapped_column(String(300))
    region: Mapped[str | None] = mapped_column(String(20), index=True)
    province: Mapped[str | None] = mapped_column(String(20))
    city: Mapped[str | None] = mapped_column(String(20))
    industry: Mapped[str | None] = mapped_column(String(40))
    credit_level: Mapped[str | None] = mapped_column(String(10))
    phone: Mapped[str | None] = mapped_column(String(32))
    last_contact_at: Mapped[datetime | None]
    next_contact_at: Mapped[datetime | None]
    next_contact_manual: Mapped[bool] = mapped_column(default=False)
    """The rep set the next contact by hand: a grade change does not move it."""
    claimed_at: Mapped[datetime | None]
    released_at: Mapped[datetime | None]
    released_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    released_from_id: Mapped[int | None]
    """Who owned it before its last release (by hand or by recycling): the re-claim cooldown's subject."""
    search_text: Mapped[str] = mapped_column(Text, default="")
    """Normalised name variants, pinyin, initials, code and phone digits, written with the record."""


class Contact(Timestamped, Base):
    __tablename__ = "contacts"
    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    name_pinyin: Mapped[str] = mapped_column(String(200), default="")
    title: Mapped[str | None] = mapped_column(String(100))
    phone: Mapped[str | None] = mapped_column(String(32), index=True)
    mobile: Mapped[str | None] = mapped_column(String(32), index=True)
    email: Mapped[str | None] = mapped_column(String(200))
    birthday: Mapped[date | None]
    is_primary: Mapped[bool] = mapped_column(default=False)
    search_text: Mapped[str] = mapped_column(Text, default="")
    """Name, its pinyin readings (surname heteronyms included) and initials, phones, e-mail."""


@event.listens_for(Contact, "before_insert")
@event.listens_for(Contact, "before_update")
def _contact_forms(_mapper: Any, _connection: Any, contact: Contact) -> None:
    """Whoever writes a contact, its search forms follow its name, phones and e-mail."""
    contact.search_text = search_text(
        [contact.name], phones=[contact.phone, contact.mobile], emails=[contact.email], person=True
    )
