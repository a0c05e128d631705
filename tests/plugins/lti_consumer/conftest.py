"""Fixtures of the LTI tests: the platform served on loopback, a real LTI 1.3 tool beside it, people signed
in through the site's form with ``requests`` (the tool calls the platform server to server)."""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import requests
from flask import Flask

from tests.browser_fixtures import served
from tests.conftest import CSRF_FIELD, PASSWORD
from tests.plugins.conftest import OlxCourse
from tests.plugins.lti_consumer.tool import ToolSettings, tool_app

CODE = re.compile(r"<code>([^<]*)</code>")
REGISTRATION_NAMES = (
    "issuer",
    "client_id",
    "deployment_id",
    "keyset_url",
    "auth_login_url",
    "auth_token_url",
)


@pytest.fixture
def platform(app: Flask) -> Iterator[str]:
    """The platform (the test run's application) served on a free loopback port."""
    with served(app) as address:
        yield address


@dataclass
class Tool:
    """The running tool: its address and settings."""

    url: str
    settings: ToolSettings


@pytest.fixture
def tool() -> Iterator[Tool]:
    """A real LTI 1.3 tool (PyLTI1p3) served on another loopback port."""
    settings = ToolSettings()
    with served(tool_app(settings)) as address:
        yield Tool(address, settings)


def signed_in(platform: str, email: str) -> requests.Session:
    """A browser-like session signed in on the platform through its sign-in form."""
    session = requests.Session()
    page = session.get(f"{platform}/compte/connexion", timeout=10).text
    token = CSRF_FIELD.search(page)
    assert token
    answer = session.post(
        f"{platform}/compte/connexion",
        data={"email": email, "password": PASSWORD, "csrf_token": token.group(1)},
        allow_redirects=False,
        timeout=10,
    )
    assert answer.status_code == 302, answer.text[:500]
    return session


def registration_of(session: requests.Session, platform: str, course: OlxCourse) -> dict[str, str]:
    """The registration values a trainer reads on the unit page, to enter in the tool."""
    page = session.get(platform + course.unit_url(), timeout=10).text
    start = page.index("lti-consumer-registration")
    codes = [html.unescape(value) for value in CODE.findall(page[start:])][: len(REGISTRATION_NAMES)]
    return dict(zip(REGISTRATION_NAMES, codes, strict=True))


FORM = re.compile(r'<form id="lti-autopost" method="post" action="([^"]+)"')
FIELD = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)"')


def autopost(page: str) -> tuple[str, dict[str, str]]:
    """The action and fields of the platform's self-posting launch form."""
    action = FORM.search(page)
    assert action, page[:1000]
    fields = {html.unescape(name): html.unescape(value) for name, value in FIELD.findall(page)}
    return html.unescape(action.group(1)), fields


@pytest.fixture
def lti13_olx(tool: Tool) -> Callable[..., str]:
    """The OLX of an ``lti_consumer`` (LTI 1.3) pointing at the tool."""

    def build(url_name: str = "lti1", **attributes: Any) -> str:
        values = {
            "display_name": "Simulateur de trésorerie",
            "lti_version": "lti_1p3",
            "launch_target": "iframe",
            "lti_1p3_oidc_url": f"{tool.url}/login",
            "lti_1p3_launch_url": f"{tool.url}/launch",
            "lti_1p3_tool_key_mode": "public_key",
            "lti_1p3_tool_public_key": tool.settings.public_pem,
            "has_score": "true",
            "weight": "10.0",
            "custom_parameters": '["niveau=2", "theme=trésorerie"]',
            **attributes,
        }
        text = " ".join(f'{name}="{html.escape(str(value), quote=True)}"' for name, value in values.items())
        return f'<lti_consumer url_name="{url_name}" {text}/>'

    return build
