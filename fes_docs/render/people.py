"""How a person is reached, from the policy's ``people:`` (either form): clickable addresses, pager, phone."""

from __future__ import annotations

import html
import re
from urllib.parse import quote

from .context import Site
from .escape import md_escape, one_line

_MAIL = re.compile(r"[^@\s<>\"'()\[\]\\,;:]+@[^@\s<>\"'()\[\]\\,;:]+\.[^@\s<>\"'()\[\]\\,;:]+")
_PHONE = re.compile(r"\+?[0-9][0-9 ().-]{2,30}")


def mail_link(address: str) -> str:
    """A ``mailto:`` link for a plain address; anything else (a handle, a typo) stays text."""
    text = one_line(address).strip()
    if not _MAIL.fullmatch(text):
        return md_escape(address)
    return f'<a href="mailto:{html.escape(quote(text, safe="@.+-_"), quote=True)}">{md_escape(text)}</a>'


def phone_link(number: str) -> str:
    text = one_line(number).strip()
    if not _PHONE.fullmatch(text):
        return md_escape(number)
    digits = "".join(ch for ch in text if ch.isdigit() or ch == "+")
    return f'<a href="tel:{digits}">{md_escape(text)}</a>'


def contact(site: Site, person: str | None) -> str:
    """The person's addresses, each a ``mailto:`` link."""
    if not person:
        return ""
    return ", ".join(mail_link(a) for a in site.project.policy.people.get(person, []))


def reach(site: Site, person: str | None) -> str:
    """Everything the policy says about reaching someone now: addresses, pager, phone."""
    if not person:
        return ""
    entry = site.project.policy.contacts.get(person)
    parts = [contact(site, person)] if entry is not None and entry.emails else []
    if entry is not None and entry.pager:
        parts.append(f"pager: {md_escape(entry.pager)}")
    if entry is not None and entry.phone:
        parts.append(f"phone: {phone_link(entry.phone)}")
    return " · ".join(p for p in parts if p)
