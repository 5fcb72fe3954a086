"""Project-wide defaults for every schema."""

from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict


class AppBaseModel(BaseModel):
    model_config = ConfigDict(
        from_attributes=True,
        str_strip_whitespace=True,
        # A typo in a field name is an error, not a silently ignored key.
        extra="forbid",
    )


def _refuse_nul(value: str) -> str:
    if "\x00" in value:
        msg = "must not contain the NUL character"
        raise ValueError(msg)
    return value


# Text bound for the database: PostgreSQL cannot store NUL (U+0000) and would turn it
# into a 500, so it is refused up front as a 422 naming the field.
StorableStr = Annotated[str, AfterValidator(_refuse_nul)]
