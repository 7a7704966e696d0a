"""The Slack side of channel notifications' subscriptions: `/confluence notify …`, the App Home
section with its buttons, and the words (bot.slack.notify.answers)."""
