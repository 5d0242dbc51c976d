"""The access rules of `core.permissions.Scope`, applied to index columns in bulk.

Search and nearby narrow with this mask first; every hit is checked again with
`Scope.can_read_customer` on the loaded row, so the two can never disagree silently.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from core.models import Role
from core.permissions import READ_ALL, Scope

NO_ID = -1
"""Stands for None in integer columns (no owner: the pool; no parent)."""


def readable(scope: Scope, entity: npt.NDArray[np.int64], owner: npt.NDArray[np.int64], parent: npt.NDArray[np.int64]) -> npt.NDArray[np.bool_]:
    if scope.role in READ_ALL:
        return np.ones(len(entity), dtype=bool)
    if scope.role == Role.DEALER:
        dealer = scope.user.dealer_customer_id
        if dealer is None:
            return np.zeros(len(entity), dtype=bool)
        return np.asarray((entity == dealer) | (parent == dealer))
    team = np.fromiter(scope.team, dtype=np.int64, count=len(scope.team))
    return np.asarray((owner == NO_ID) | np.isin(owner, team))
