"""The Slack side of bot.personal: your tasks and your notification choices, in answers to
`/confluence tasks|me` and in App Home."""
