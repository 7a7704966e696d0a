"""Channel notifications' Slack side: adapters for ``bot.notify``'s ports (the poster, who reads
Confluence for whom) and the service built for the scheduler."""
