"""Slack side: the only slack_bolt/slack_sdk importer (listeners, Block Kit builders, adapters)."""
