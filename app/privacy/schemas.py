"""Privacy requests over the API: input and output apart."""

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from app.core.inputs import StrictInput


class ErasureAsk(StrictInput):
    reason: str = Field(default="", max_length=2000, description="Why, in the person's words")


class ErasureConfirm(StrictInput):
    confirm_email: str = Field(
        min_length=1, max_length=320, description="The person's e-mail address, typed again"
    )
    reason: str = Field(default="", max_length=2000, description="Added to the request")


class ErasureRequestRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    person_id: int
    asked_by_id: int | None
    reason: str
    created_at: datetime
    carried_out_at: datetime | None
    carried_out_by_id: int | None


class ErasureRequestRow(ErasureRequestRead):
    person_name: str
    person_email: str


class PrivacyOfficerRead(BaseModel):
    user_id: int
    display_name: str
    email: str
    institution_id: int | None
    granted_by_id: int | None
    granted_at: datetime
