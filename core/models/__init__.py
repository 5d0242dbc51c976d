"""Every model, imported here so that the metadata is complete for Alembic and tests."""

from core.models.base import Base, utcnow
from core.models.customers import Contact, Customer, CustomerGrade, CustomerType
from core.models.identity import BindingCode, ChatIdentity
from core.models.leads import Lead, LeadSource, LeadStatus, Task, TaskKind, TaskStatus
from core.models.org import Company, Department, Role, User
from core.models.products import Product, ProductCategory, ProductOption, ProductUnit
from core.models.system import AppSecret, AuditEntry, ChatInboxMessage, DialogState, MediaBlob, ProcessedEvent
from core.models.visits import ContactKind, ContactRecord, LocationSource, Visit

__all__ = [
    "AppSecret",
    "AuditEntry",
    "Base",
    "BindingCode",
    "ChatIdentity",
    "ChatInboxMessage",
    "Company",
    "Contact",
    "ContactKind",
    "ContactRecord",
    "Customer",
    "CustomerGrade",
    "CustomerType",
    "Department",
    "DialogState",
    "Lead",
    "LeadSource",
    "LeadStatus",
    "LocationSource",
    "MediaBlob",
    "ProcessedEvent",
    "Product",
    "ProductCategory",
    "ProductOption",
    "ProductUnit",
    "Role",
    "Task",
    "TaskKind",
    "TaskStatus",
    "User",
    "Visit",
    "utcnow",
]
