"""Project-wide defaults for every schema."""

from pydantic import BaseModel, ConfigDict


class AppBaseModel(BaseModel):
    model_config = ConfigDict(
        from_attributes=True,
        str_strip_whitespace=True,
        # A typo in a field name is an error, not a silently ignored key.
        extra="forbid",
    )
