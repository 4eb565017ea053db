"""Messages from templates: jinja2 with autoescaping for HTML (a name like
``<script>`` shows as text), strict about missing values, carrying the organisation's name
and the app's address. No template is ever given a password."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, TemplateError, select_autoescape

from tms_domain.notifications import MailTemplate, OutgoingMessage

SUBJECTS = {
    MailTemplate.INVITATION: "Your account at {organisation}",
    MailTemplate.PASSWORD_RESET: "Set a new password for {organisation}",
    MailTemplate.PASSWORD_CHANGED: "Your {organisation} password was {how}",
}
"""Account mail; notification mail is titled by its notification (``_subject``)."""
APP_PATH = "/app"
PREFERENCES_PATH = "/app/preferences"
"""The web client's notification preferences page: where List-Unsubscribe points."""
LINK_PATH = "/app/set-password#token="
"""Where a link's token goes: in the fragment, which browsers never send to a server (no
access log or Referer holds it); the web client's set-password page reads it there."""


def message_id(idempotency_key: str, domain: str) -> str:
    """The same for every attempt at one (cause, recipient): receivers drop a repeat."""
    digest = hashlib.sha256(idempotency_key.encode()).hexdigest()[:40]
    return f"<{digest}@{domain or 'tms.invalid'}>"


class MailComposer:
    def __init__(self, organisation: str, public_url: str) -> None:
        self.organisation = organisation
        self.public_url = public_url.rstrip("/")
        self._env = Environment(
            loader=PackageLoader("tms_adapters.mail", "templates"),
            autoescape=select_autoescape(enabled_extensions=("html",), default=False),
            undefined=StrictUndefined,
            keep_trailing_newline=True,
        )

    def set_password_link(self, token: str) -> str:
        return f"{self.public_url}{LINK_PATH}{token}"

    def compose(
        self,
        template: MailTemplate,
        *,
        to: str,
        to_name: str,
        context: Mapping[str, Any],
        headers: Mapping[str, str],
    ) -> OutgoingMessage:
        """The message; ValueError when the context lacks a value the template shows, or a
        header would hold a line break."""
        values = self._values(context)
        subject = self._subject(template, values)
        if template.is_notification:
            headers = {
                **headers,
                "List-Unsubscribe": f"<{values['preferences_url']}>",
                "Organization": " ".join(self.organisation.split()),
            }
        try:
            text = self._env.get_template(f"{template.value}.txt").render(values)
            html = self._env.get_template(f"{template.value}.html").render(values)
        except TemplateError as error:
            raise ValueError(f"Template {template.value}: {error}") from error
        return OutgoingMessage(
            to=to, to_name=to_name, subject=subject, text=text, html=html, headers=headers
        )

    def _subject(self, template: MailTemplate, values: Mapping[str, Any]) -> str:
        if template in SUBJECTS:
            return SUBJECTS[template].format(
                organisation=self.organisation, how=values.get("how", "")
            )
        about = values.get("session_title") or values.get("course_title")
        subject = f"{values['title']}: {about}" if about else str(values["title"])
        # One line whatever a title holds: user data never starts another header.
        return " ".join(subject.split())

    def _values(self, context: Mapping[str, Any]) -> dict[str, Any]:
        values = dict(context)
        values["organisation"] = self.organisation
        values["public_url"] = self.public_url
        values["sign_in_url"] = f"{self.public_url}/app/"
        values["forgot_url"] = f"{self.public_url}/app/forgot-password"
        values["preferences_url"] = f"{self.public_url}{PREFERENCES_PATH}"
        if "token" in values:
            values["link"] = self.set_password_link(values.pop("token"))
        elif values.get("link"):
            # A notification's link is a path of the web client.
            values["url"] = f"{self.public_url}{APP_PATH}{values['link']}"
        for name in ("expires_at", "at", "starts_at", "was_at"):
            if isinstance(values.get(name), str) and values[name]:
                values[name] = _readable(values[name])
        return values


def _readable(iso: str) -> str:
    return datetime.fromisoformat(iso).strftime("%Y-%m-%d %H:%M UTC")
