"""Every dialog, one per file; `all_flows()` is what the engine is built with."""

from __future__ import annotations

from conversations.flow import Flow
from conversations.flows.agenda import AgendaFlow
from conversations.flows.approval_rules import ApprovalRulesFlow
from conversations.flows.approvals import ApprovalsFlow
from conversations.flows.away import AwayFlow
from conversations.flows.bind import BindFlow
from conversations.flows.bind_code import BindCodeFlow
from conversations.flows.checkin import CheckInFlow
from conversations.flows.customer360 import Customer360Flow
from conversations.flows.follow_up import FollowUpFlow
from conversations.flows.forecast import ForecastFlow
from conversations.flows.language import LanguageFlow
from conversations.flows.lead import LeadFlow
from conversations.flows.menu import MenuFlow
from conversations.flows.outbox import OutboxFlow
from conversations.flows.pool import PoolFlow
from conversations.flows.quote import QuoteFlow
from conversations.flows.quotes_list import QuotesListFlow
from conversations.flows.rebates import RebatesFlow
from conversations.flows.reminder import ReminderFlow
from conversations.flows.safety import SafetyFlow
from conversations.flows.service_desk import ServiceDeskFlow
from conversations.flows.settings import SettingsFlow
from conversations.flows.stock import StockFlow
from conversations.flows.stock_report import StockReportFlow
from conversations.flows.targets import TargetsFlow
from conversations.flows.team_checkins import TeamCheckInsFlow
from conversations.flows.ticket_new import NewTicketFlow
from conversations.flows.ticket_parts import TicketPartsFlow
from conversations.flows.tickets import TicketsFlow
from conversations.flows.visit_log import VisitLogFlow


def all_flows() -> list[Flow]:
    return [
        MenuFlow(), BindFlow(), BindCodeFlow(), LanguageFlow(), CheckInFlow(), VisitLogFlow(),
        LeadFlow(), Customer360Flow(), PoolFlow(), AgendaFlow(), TeamCheckInsFlow(),
        SettingsFlow(), OutboxFlow(), ReminderFlow(), FollowUpFlow(),
        TicketsFlow(), TicketPartsFlow(), NewTicketFlow(), ServiceDeskFlow(),
        QuoteFlow(), QuotesListFlow(), ApprovalsFlow(), ForecastFlow(), AwayFlow(), ApprovalRulesFlow(),
        StockReportFlow(), StockFlow(), SafetyFlow(), TargetsFlow(), RebatesFlow(),
    ]
