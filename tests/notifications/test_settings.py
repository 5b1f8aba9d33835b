"""The notification settings, read from the environment as a deployment sets them."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from pausepoint.settings import Settings, Webhook, parse_smtp_url


def settings_from(monkeypatch: pytest.MonkeyPatch, **env: str) -> Settings:
    for name, value in env.items():
        monkeypatch.setenv(f"PAUSEPOINT_{name}", value)
    return Settings(_env_file=None)  # type: ignore[call-arg]


def test_by_default_nothing_is_notified_and_reminders_come_an_hour_ahead() -> None:
    settings = Settings(_env_file=None)  # type: ignore[call-arg]

    assert settings.public_url is None
    assert settings.webhooks == []
    assert settings.smtp_url is None and settings.smtp_from is None
    assert settings.emails == {}
    assert settings.notify_for_hours == 24
    assert settings.remind_before_minutes == 60


def test_webhooks_are_read_from_a_json_list(monkeypatch: pytest.MonkeyPatch) -> None:
    settings = settings_from(
        monkeypatch,
        WEBHOOKS='[{"url": "https://hooks.example.com/a", "secret": "s"},'
        ' {"url": "http://chat.example.com/b", "events": ["paused"], "format": "slack"}]',
    )

    signed, chat = settings.webhooks
    assert signed == Webhook(url="https://hooks.example.com/a", secret="s")
    assert signed.format == "json" and signed.wants("failed")
    assert chat.format == "slack" and chat.secret is None
    assert chat.wants("paused") and not chat.wants("completed")
    assert "hidden-value" not in repr(Webhook(url="https://x.example", secret="hidden-value"))


@pytest.mark.parametrize(
    ("webhooks", "complaint"),
    [
        ('[{"url": "ftp://hooks.example.com/a"}]', "http:// or https://"),
        ('[{"url": "hooks.example.com/a"}]', "http:// or https://"),
        ('[{"url": "https://hooks.example.com/a", "format": "xml"}]', "'json' or 'slack'"),
        ('[{"url": "https://hooks.example.com/a", "events": ["pasued"]}]', "unknown event"),
        ('[{"url": "https://hooks.example.com/a", "sercet": "s"}]', "sercet"),
    ],
)
def test_a_webhook_that_cannot_work_is_refused_saying_why(
    monkeypatch: pytest.MonkeyPatch, webhooks: str, complaint: str
) -> None:
    with pytest.raises(ValidationError, match=complaint):
        settings_from(monkeypatch, WEBHOOKS=webhooks)


def test_smtp_needs_a_from_address(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(ValidationError, match="PAUSEPOINT_SMTP_FROM is required"):
        settings_from(monkeypatch, SMTP_URL="smtp://mail.example.com")


def test_smtp_settings_emails_and_timings_are_read(monkeypatch: pytest.MonkeyPatch) -> None:
    settings = settings_from(
        monkeypatch,
        PUBLIC_URL="https://pausepoint.example.com/",
        SMTP_URL="smtps://pp:pa%40ss@mail.example.com",
        SMTP_FROM="Pausepoint <pausepoint@example.com>",
        EMAILS='{"ann": "ann@example.com", "bob": "Bob <bob@example.com>"}',
        NOTIFY_FOR_HOURS="2.5",
        REMIND_BEFORE_MINUTES="0",
    )

    assert settings.public_url == "https://pausepoint.example.com"
    assert settings.smtp_from == "Pausepoint <pausepoint@example.com>"
    assert settings.emails == {"ann": "ann@example.com", "bob": "Bob <bob@example.com>"}
    assert settings.notify_for_hours == 2.5
    assert settings.remind_before_minutes == 0
    assert "pa%40ss" not in repr(settings)


@pytest.mark.parametrize(
    ("env", "complaint"),
    [
        ({"SMTP_URL": "mail.example.com", "SMTP_FROM": "a@example.com"}, "smtp:// or smtps://"),
        ({"SMTP_URL": "smtp://mail.example.com", "SMTP_FROM": "nobody"}, "not an email address"),
        ({"EMAILS": '{"ann": "ann at example"}'}, "not an email address"),
        ({"PUBLIC_URL": "pausepoint.example.com"}, "http:// or https://"),
        ({"NOTIFY_FOR_HOURS": "0"}, "greater than 0"),
        ({"REMIND_BEFORE_MINUTES": "-1"}, "greater than or equal to 0"),
    ],
)
def test_a_notification_setting_that_cannot_work_is_refused(
    monkeypatch: pytest.MonkeyPatch, env: dict[str, str], complaint: str
) -> None:
    with pytest.raises(ValidationError, match=complaint):
        settings_from(monkeypatch, **env)


def test_an_smtp_url_names_host_port_tls_and_credentials() -> None:
    plain = parse_smtp_url("smtp://mail.example.com")
    implicit = parse_smtp_url("smtps://pp:pa%40ss@mail.example.com")
    submission = parse_smtp_url("smtp://mail.example.com:587")

    assert (plain.host, plain.port, plain.implicit_tls, plain.username) == (
        "mail.example.com",
        25,
        False,
        None,
    )
    assert (implicit.port, implicit.implicit_tls) == (465, True)
    assert (implicit.username, implicit.password) == ("pp", "pa@ss")
    assert "pa@ss" not in repr(implicit)
    assert submission.port == 587
