"""Channel notifications' Slack side: `/confluence notify …`, the App Home section with its
buttons and the words (bot.slack.notify.answers); the adapters of the poller's ports (the poster,
who reads Confluence for whom) and the service built for the scheduler (bot.slack.notify.build)."""
