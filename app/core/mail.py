"""Outgoing e-mail over SMTP. Without SMTP_HOST (development), messages go to the log."""

import logging
import smtplib
from email.message import EmailMessage

from app.core.config import Settings
from app.core.errors import ServiceUnavailable

log = logging.getLogger("agora.mail")


def send_mail(settings: Settings, to: str, subject: str, body: str) -> None:
    message = EmailMessage()
    message["From"] = settings.smtp_from
    message["To"] = to
    message["Subject"] = subject
    message.set_content(body)
    if settings.smtp_host is None:
        log.info("mail not sent (no SMTP_HOST): to=%s subject=%s\n%s", to, subject, body)
        return
    try:
        with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=10) as smtp:
            if settings.smtp_starttls:
                smtp.starttls()
            if settings.smtp_user and settings.smtp_password:
                smtp.login(settings.smtp_user, settings.smtp_password.get_secret_value())
            smtp.send_message(message)
    except (OSError, smtplib.SMTPException) as exc:
        log.warning("SMTP delivery to %s failed: %s", to, exc)
        raise ServiceUnavailable("The e-mail could not be sent; try again shortly.") from exc
