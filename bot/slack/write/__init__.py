"""Writing to Confluence from Slack: save a thread, create a page, comment on a page.

The listeners in bot.slack.listeners.write stay thin; the flows live here, one module each.
"""
