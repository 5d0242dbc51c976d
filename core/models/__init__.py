"""Every model, imported here so that the metadata is complete for Alembic and tests."""

from core.models.approvals import (
    ApprovalCard,
    ApprovalRule,
    ApprovalStep,
    ApproverAbsence,
    ApproverKind,
    QuoteComment,
    StepStatus,
)
from core.models.base import Base, utcnow
from core.models.customers import Contact, Customer, CustomerGrade, CustomerType
from core.models.dealers import DealerProduct, DealerTarget, SafetyStock, StockLine, StockReport
from core.models.identity import BindingCode, ChatIdentity
from core.models.leads import Lead, LeadSource, LeadStatus, Task, TaskKind, TaskStatus
from core.models.notifications import Notification, NotificationPrefs, OutboxStatus
from core.models.opportunities import Opportunity, OpportunityStage
from core.models.org import Company, Department, Role, User
from core.models.parts import (
    PartStock,
    PurchaseRequest,
    PurchaseStatus,
    SparePart,
    TicketPart,
    Warehouse,
    WarehouseKind,
)
from core.models.platform_tokens import PlatformToken
from core.models.products import Product, ProductCategory, ProductOption, ProductUnit
from core.models.quotes import (
    Order,
    PriceList,
    PriceListEntry,
    Quote,
    QuoteLine,
    QuoteLineOption,
    QuoteStatus,
)
from core.models.rebates import ClaimStatus, OrderRefund, RebateClaim, RebatePeriod, RebatePolicy, RebateTier
from core.models.search import SearchChange
from core.models.send_budget import SendStamp
from core.models.service import (
    OPEN_TICKET_STATUSES,
    EngineerProfile,
    Equipment,
    Priority,
    ServiceRating,
    Ticket,
    TicketNote,
    TicketStatus,
    TicketTransition,
    TicketType,
)
from core.models.system import AppSecret, AuditEntry, ChatInboxMessage, DialogState, MediaBlob, ProcessedEvent
from core.models.telemetry import ApiKey, TelemetryReading
from core.models.visits import ContactKind, ContactRecord, LocationSource, Visit

__all__ = [
    "OPEN_TICKET_STATUSES",
    "ApiKey",
    "AppSecret",
    "ApprovalCard",
    "ApprovalRule",
    "ApprovalStep",
    "ApproverAbsence",
    "ApproverKind",
    "AuditEntry",
    "Base",
    "BindingCode",
    "ChatIdentity",
    "ChatInboxMessage",
    "ClaimStatus",
    "Company",
    "Contact",
    "ContactKind",
    "ContactRecord",
    "Customer",
    "CustomerGrade",
    "CustomerType",
    "DealerProduct",
    "DealerTarget",
    "Department",
    "DialogState",
    "EngineerProfile",
    "Equipment",
    "Lead",
    "LeadSource",
    "LeadStatus",
    "LocationSource",
    "MediaBlob",
    "Notification",
    "NotificationPrefs",
    "Opportunity",
    "OpportunityStage",
    "Order",
    "OrderRefund",
    "OutboxStatus",
    "PartStock",
    "PlatformToken",
    "PriceList",
    "PriceListEntry",
    "Priority",
    "ProcessedEvent",
    "Product",
    "ProductCategory",
    "ProductOption",
    "ProductUnit",
    "PurchaseRequest",
    "PurchaseStatus",
    "Quote",
    "QuoteComment",
    "QuoteLine",
    "QuoteLineOption",
    "QuoteStatus",
    "RebateClaim",
    "RebatePeriod",
    "RebatePolicy",
    "RebateTier",
    "Role",
    "SafetyStock",
    "SearchChange",
    "SendStamp",
    "ServiceRating",
    "SparePart",
    "StepStatus",
    "StockLine",
    "StockReport",
    "Task",
    "TaskKind",
    "TaskStatus",
    "TelemetryReading",
    "Ticket",
    "TicketNote",
    "TicketPart",
    "TicketStatus",
    "TicketTransition",
    "TicketType",
    "User",
    "Visit",
    "Warehouse",
    "WarehouseKind",
    "utcnow",
]
