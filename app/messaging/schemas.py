"""Private messages over the API."""

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from app.core.inputs import StrictInput


class MessageCreate(StrictInput):
    body_markdown: str = Field(min_length=1, max_length=10_000, description="Markdown")


class MessageRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    sender_id: int
    body_html: str
    created_at: datetime


class ConversationSummary(BaseModel):
    user_id: int = Field(description="The other person")
    name: str
    last_message_at: datetime
    unread: int


class ContactRead(BaseModel):
    user_id: int
    name: str


class ReportCreate(StrictInput):
    reason: str = Field(min_length=1, max_length=1000)


class ReportRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    message_id: int
    created_at: datetime
