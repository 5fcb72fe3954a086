"""Project-wide defaults for every schema, and the building blocks of request fields.

A request field accepts exactly what the OpenAPI schema says it does: clients (and
tests/api/test_contract.py) rely on the schema, so it must not refuse input it allows
or take input it forbids.

Part of the template's public surface (docs/updating.md): a name here stays importable,
with the meaning it had, until the next major version; a replaced one is kept at the end
of the module under "Deprecated".
"""

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Annotated, Any, TypeVar

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    GetCoreSchemaHandler,
    GetJsonSchemaHandler,
    StringConstraints,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import core_schema

T = TypeVar("T")


class AppBaseModel(BaseModel):
    model_config = ConfigDict(
        from_attributes=True,
        # A typo in a field name is an error, not a silently ignored key.
        extra="forbid",
    )


# --- Text -------------------------------------------------------------------------
# Write a text field in full, Field first: Annotated[str, Field(...), Stripped]. The
# lengths and patterns then check the text as sent, as the schema says they do, and the
# value kept has no surrounding whitespace. (Constraints placed after a validator would
# check the stripped text instead, and accept 101 characters ending in a space.)

# The whitespace Python strips (str.isspace()), spelled out: `\s` means something else
# to Python, to pydantic's regex engine and to a client's JSON Schema validator.
WHITESPACE = (
    "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005"
    "\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)
_SPACE = "".join(f"\\u{ord(char):04x}" for char in WHITESPACE)

# PostgreSQL cannot store NUL (U+0000) and would turn it into a 500: text bound for the
# database refuses it up front, as a 422 naming the field.
STORABLE = r"^[^\x00]*$"
# Storable, and more than whitespace.
STORABLE_NOT_BLANK = rf"^[^\x00]*[^{_SPACE}\x00][^\x00]*$"
# More than whitespace.
NOT_BLANK = rf"^[{_SPACE}]*[^{_SPACE}]"


def _strip(value: str) -> str:
    return value.strip(WHITESPACE)


Stripped = AfterValidator(_strip)


# --- Numbers ----------------------------------------------------------------------


def _integral_float_to_int(value: object) -> object:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


# For an integer field, after a Field(strict=True, ...): JSON Schema counts 3.0 as an
# integer, so it is taken, while true and "3" (which lax validation reads as 1 and 3)
# are refused. (Before the Field, pydantic would leave minimum and maximum out of the
# schema.)
IntegralFloatAsInt = BeforeValidator(_integral_float_to_int)


# --- Dates, times and ids ---------------------------------------------------------


def _refuse_non_text(value: object) -> object:
    if not isinstance(value, str):
        msg = "must be a string"
        raise ValueError(msg)
    return value


# For a date, datetime or UUID field, before its type: the schema says a string, while
# lax validation also reads a number (as a Unix time, for a date or a datetime).
FromText = BeforeValidator(_refuse_non_text)


def _to_utc(value: datetime) -> datetime:
    return value.astimezone(UTC)


# For an aware datetime field, after its type: the time in UTC, as the database gives it
# back, so that a row reads the same when it is created and when it is fetched.
InUTC = AfterValidator(_to_utc)


@dataclass(frozen=True, slots=True)
class DecimalText:
    """For a Decimal field: JSON text of at most `precision` digits, `scale` after the point.

    Text, not a JSON number: a number is read as a float on its way in, and 0.1 is then
    0.1000000000000000055... The OpenAPI schema gives the pattern, which says the
    digits, the places and (with `signed=False`) that the value is not negative, so a
    client's validator and this one agree. The value kept has exactly `scale` places,
    as a numeric(precision, scale) column gives it back: a row reads the same when it
    is created and when it is fetched.
    """

    precision: int
    scale: int
    signed: bool = True

    @property
    def pattern(self) -> str:
        sign = "-?" if self.signed else ""
        whole = self.precision - self.scale
        integer = "0" if whole == 0 else f"(0|[1-9][0-9]{{0,{whole - 1}}})"
        fraction = rf"(\.[0-9]{{1,{self.scale}}})?" if self.scale else ""
        return f"^{sign}{integer}{fraction}$"

    def _parse(self, value: object) -> Decimal:
        if not isinstance(value, str) or not re.fullmatch(self.pattern, value):
            msg = f"must be text matching {self.pattern}"
            raise ValueError(msg)
        return Decimal(value).quantize(Decimal(1).scaleb(-self.scale))

    def __get_pydantic_core_schema__(
        self, source: type[Any], handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        return core_schema.no_info_before_validator_function(self._parse, handler(source))

    def __get_pydantic_json_schema__(
        self, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        return {"type": "string", "pattern": self.pattern}


# --- Partial updates --------------------------------------------------------------


def _refuse_null(value: object) -> object:
    if value is None:
        msg = "may be omitted but not null"
        raise ValueError(msg)
    return value


def _document_without_null(schema: dict[str, Any]) -> None:
    schema.pop("default", None)
    branches = [branch for branch in schema.pop("anyOf") if branch != {"type": "null"}]
    schema.update(branches[0])


# A field of a partial update (PATCH) that may be left out, reading as None, but not
# sent as null; the schema says so too (not nullable, not required).
Omittable = Annotated[
    T | None, AfterValidator(_refuse_null), Field(json_schema_extra=_document_without_null)
]


# --- Deprecated (kept until 1.0) ----------------------------------------------------


def _refuse_nul(value: str) -> str:
    if "\x00" in value:
        msg = "must not contain the NUL character"
        raise ValueError(msg)
    return value


# Deprecated since 0.2: write Annotated[str, Field(pattern=STORABLE, ...), Stripped].
# Text stripped before its constraints are checked, as every string was while
# AppBaseModel stripped them all (pydantic's own stripping, which also refuses a lone
# surrogate), and that refuses NUL: schemas written against 0.1 keep the behaviour they
# were tested with. Its lengths measure the stripped text, which the OpenAPI schema
# cannot say, so the contract test's input checks may flag it.
StorableStr = Annotated[str, StringConstraints(strip_whitespace=True), AfterValidator(_refuse_nul)]
