"""What a flow (one dialog, one file) provides to the engine."""

from __future__ import annotations

from typing import ClassVar

from conversations.context import Ctx
from conversations.inbound import Event, LocationEvent
from conversations.messages import Reply
from core.models import Role


class Flow:
    code: ClassVar[str]
    """Short name used inside action tokens (2–3 letters)."""
    commands: ClassVar[tuple[str, ...]] = ()
    """Command names and words that start it: ('checkin', '签到')."""
    roles: ClassVar[frozenset[Role] | None] = None
    """Who may start it; None: every bound user."""
    needs_user: ClassVar[bool] = True
    free_text_roles: ClassVar[frozenset[Role]] = frozenset()
    """Roles whose plain messages (no dialog open, no command word) this flow is offered first."""
    location_roles: ClassVar[frozenset[Role]] = frozenset()
    """Roles (who do not check in) whose location, shared with no dialog open, this flow answers."""

    async def start(self, ctx: Ctx, args: str) -> list[Reply]:
        """Flows reached only through buttons keep this: a command for them is unknown."""
        from conversations.messages import Text

        return [Text(ctx.t("error.unknown_command"))]

    def waits_for(self, ctx: Ctx, event: Event) -> bool:
        """Whether this flow's open dialog takes `event`; if not, the dialog ends and the event is
        handled as if nothing were open (a step that needs no answer, whatever the user sends next)."""
        return True

    async def on_event(self, ctx: Ctx, event: Event) -> list[Reply]:
        """A text, location, photo or form while this flow's dialog is open."""
        return [*self.unexpected(ctx)]

    async def on_action(self, ctx: Ctx, arg: str) -> list[Reply]:
        return []

    async def on_free_text(self, ctx: Ctx, text: str) -> list[Reply] | None:
        """A plain message from one of `free_text_roles`; None: not for this flow (the next one,
        or "not understood", answers it)."""
        return None

    async def on_location(self, ctx: Ctx, event: LocationEvent) -> list[Reply]:
        """A location shared with no dialog open by one of `location_roles`."""
        return self.unexpected(ctx)

    def unexpected(self, ctx: Ctx) -> list[Reply]:
        from conversations.messages import Text

        return [Text(ctx.t("dialog.unexpected"))]
