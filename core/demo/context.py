"""State shared by the demo generators: the seeded random source, 'now' and the records made so far."""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from core.clock import local_date, start_of_day
from core.demo.names import GIVEN_NAMES, MOBILE_PREFIXES, SURNAMES
from core.models import Customer, CustomerGrade, User

M_PER_DEG_LAT = 111_320.0


@dataclass
class Demo:
    session: AsyncSession
    rng: random.Random
    now: datetime
    tz: ZoneInfo
    users: dict[str, User] = field(default_factory=dict)
    grades: dict[str, CustomerGrade] = field(default_factory=dict)
    customers: list[Customer] = field(default_factory=list)
    used_mobiles: set[str] = field(default_factory=set)

    @property
    def today(self) -> date:
        return local_date(self.now, self.tz)

    def at(self, day: date, hour: int, minute: int = 0) -> datetime:
        """A local wall-clock time on a local date, as aware UTC."""
        return datetime.combine(day, time(hour, minute), tzinfo=self.tz).astimezone(UTC)

    def past_working_time(self, days_ago: int) -> datetime:
        """A moment during working hours `days_ago` local days back, never in the future."""
        day = self.today - timedelta(days=days_ago)
        moment = self.at(day, self.rng.randint(9, 17), self.rng.randrange(0, 60, 5))
        return max(start_of_day(day, self.tz), min(moment, self.now - timedelta(minutes=5)))

    def mobile(self) -> str:
        while True:
            number = self.rng.choice(MOBILE_PREFIXES) + f"{self.rng.randrange(10**8):08d}"
            if number not in self.used_mobiles:
                self.used_mobiles.add(number)
                return number

    def person(self) -> str:
        return self.rng.choice(SURNAMES) + self.rng.choice(GIVEN_NAMES)

    def scatter(self, lat: float, lon: float, min_m: float, max_m: float) -> tuple[float, float]:
        """A point between min_m and max_m from (lat, lon), in a random direction."""
        return offset(lat, lon, self.rng.uniform(min_m, max_m), self.rng.uniform(0, 2 * math.pi))


def offset(lat: float, lon: float, distance_m: float, bearing: float) -> tuple[float, float]:
    """Move a point on a local flat approximation; good to a few metres over a few kilometres."""
    dlat = distance_m * math.cos(bearing) / M_PER_DEG_LAT
    dlon = distance_m * math.sin(bearing) / (M_PER_DEG_LAT * math.cos(math.radians(lat)))
    return round(lat + dlat, 6), round(lon + dlon, 6)
