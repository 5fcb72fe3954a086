"""The one error type of the service and the one JSON shape every error takes."""

from http import HTTPStatus
from typing import Any, ClassVar

from pydantic import BaseModel, Field


class ErrorDetail(BaseModel):
    """One problem with one part of a request."""

    loc: list[str | int] = Field(examples=[["body", "name"]])
    message: str = Field(examples=["String should have at least 1 character"])
    type: str = Field(examples=["string_too_short"])


class ErrorResponse(BaseModel):
    """The body of every error response."""

    code: str = Field(examples=["item_not_found"])
    message: str = Field(examples=["Item not found"])
    details: list[ErrorDetail] | None = None


class AppError(Exception):
    """Base of every expected failure; subclasses set the status, code and message."""

    status_code: ClassVar[int] = HTTPStatus.BAD_REQUEST
    code: ClassVar[str] = "bad_request"
    message: ClassVar[str] = "The request cannot be processed"
    # Sent with the error response, e.g. Retry-After; a subclass may set them per instance.
    headers: dict[str, str] | None = None

    def __init__(self, message: str | None = None) -> None:
        self.detail = message or self.message
        super().__init__(self.detail)

    def to_response(self) -> ErrorResponse:
        return ErrorResponse(code=self.code, message=self.detail)


class NotFoundError(AppError):
    status_code = HTTPStatus.NOT_FOUND
    code = "not_found"
    message = "Resource not found"


class ConflictError(AppError):
    status_code = HTTPStatus.CONFLICT
    code = "conflict"
    message = "The request conflicts with the current state of the resource"


class ServiceUnavailableError(AppError):
    status_code = HTTPStatus.SERVICE_UNAVAILABLE
    code = "service_unavailable"
    message = "A dependency of the service is unavailable; try again shortly"


def error_body(code: str, message: str) -> dict[str, Any]:
    """The error shape as plain JSON, for middleware that answers before FastAPI runs."""
    return ErrorResponse(code=code, message=message).model_dump(mode="json")
