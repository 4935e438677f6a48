"""The one validator of every timestamp a client sends (query parameters and bodies).

An ISO 8601 value must carry a zone and is converted to UTC. A zone can push a value that
Python parsed fine past the representable range ("9999-12-31T23:59:59-14:00" is in the
year 10000 in UTC): that is a 422 naming the field, never an OverflowError (a 500) later
when the value is compared, stored or rendered.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from pydantic import AfterValidator, AwareDatetime


def in_utc(value: datetime) -> datetime:
    """`value` in UTC, or ValueError when it lies outside the supported range."""
    try:
        return value.astimezone(UTC)
    except OverflowError:
        raise ValueError("is outside the supported date range (years 1 to 9999 in UTC)") from None


UtcDatetime = Annotated[AwareDatetime, AfterValidator(in_utc)]
