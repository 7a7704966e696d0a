"""The digest feature's Slack side: adapters for ``bot.digest``'s ports, the `/confluence digest`
subcommands and the App Home section (registered by ``bot.slack.listeners.digests``)."""
