"""Build the engine with every flow."""

from __future__ import annotations

from conversations.context import Deps
from conversations.engine import Engine
from conversations.flows import all_flows


def build_engine(deps: Deps) -> Engine:
    flows = all_flows()
    by_code = {f.code: f for f in flows}
    return Engine(deps, flows, bind_flow=by_code["bd"], checkin_flow=by_code["ci"])
