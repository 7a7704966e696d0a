"""The Slack side of writing to Confluence (the use cases are bot.write's): the ports' Slack
adapters, the modals and their metadata, and what users are told.

`save.resume_interrupted_saves` is the scheduler's sweep of saves whose process died.
"""
