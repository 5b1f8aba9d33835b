"""Delivering one notification: a signed webhook, a Slack-format message, an email."""
