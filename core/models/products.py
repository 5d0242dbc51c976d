"""Products: category tree, SKU, units with conversion, base price, options."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import ForeignKey, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.models.base import Base


class ProductCategory(Base):
    __tablename__ = "product_categories"
    id: Mapped[int] = mapped_column(primary_key=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("product_categories.id"))
    name_zh: Mapped[str] = mapped_column(String(100))
    name_en: Mapped[str | None] = mapped_column(String(100))
    path: Mapped[str] = mapped_column(String(300), unique=True)
    """The full tree path, '/'-separated, e.g. 水泵/离心泵."""


class Product(Base):
    __tablename__ = "products"
    id: Mapped[int] = mapped_column(primary_key=True)
    sku: Mapped[str] = mapped_column(String(60), unique=True)
    name_zh: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str | None] = mapped_column(String(200))
    category_id: Mapped[int] = mapped_column(ForeignKey("product_categories.id"))
    base_unit: Mapped[str] = mapped_column(String(10))
    base_price: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    standard_cost: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    """Cost of one base unit, when known: quotes show a margin hint from it."""
    currency: Mapped[str] = mapped_column(String(3), default="CNY")
    active: Mapped[bool] = mapped_column(default=True)
    search_text: Mapped[str] = mapped_column(String(500), default="")


class ProductUnit(Base):
    """A unit the product is also counted in: one `unit` = `factor` base units (1 箱 = 10 个)."""

    __tablename__ = "product_units"
    __table_args__ = (UniqueConstraint("product_id", "unit"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id", ondelete="CASCADE"))
    unit: Mapped[str] = mapped_column(String(10))
    factor: Mapped[Decimal] = mapped_column(Numeric(12, 4))


class ProductOption(Base):
    __tablename__ = "product_options"
    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    price_delta: Mapped[Decimal] = mapped_column(Numeric(14, 2))
