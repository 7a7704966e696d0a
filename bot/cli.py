"""The `confluence-bot` command: run (Socket Mode), serve (HTTP), check."""

from __future__ import annotations

import argparse
import asyncio
import sys

from bot.config import ConfigError, Settings, load_settings
from bot.startup import StartupError

# Settings each command cannot start without (`check` reports a missing one as a failed check).
NEEDS: dict[str, tuple[str, ...]] = {
    "run": ("slack_bot_token", "slack_app_token"),
    "serve": ("slack_bot_token", "slack_signing_secret"),
    "check": (),
}


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="confluence-bot", description="Confluence for Slack")
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="connect to Slack in Socket Mode (needs SLACK_APP_TOKEN)")
    run.add_argument(
        "--no-scheduler", action="store_true", help="do not run the periodic jobs (digests)"
    )
    serve = sub.add_parser("serve", help="serve Slack's HTTP requests on /slack/events")
    serve.add_argument("--host", default="0.0.0.0")
    serve.add_argument("--port", type=int, default=None, help="default: $PORT, then 3000")
    serve.add_argument(
        "--no-scheduler", action="store_true", help="do not run the periodic jobs (digests)"
    )
    sub.add_parser("check", help="check the Slack, Confluence and database settings")
    return parser


def _secrets(settings: Settings) -> list[str]:
    values = [
        settings.maton_api_key,
        settings.confluence_api_token,
        settings.slack_bot_token,
        settings.slack_app_token,
        settings.slack_signing_secret,
    ]
    return [v.get_secret_value() for v in values if v is not None]


def _report(exc: ConfigError) -> int:
    for problem in exc.problems:
        print(f"confluence-bot: configuration error: {problem}", file=sys.stderr)
    return 2


def main(argv: list[str] | None = None) -> int:
    """Exit status: 0 done (or all checks passed), 1 a check failed, 2 the bot cannot start
    with these settings (each problem on its own line), 130 interrupted before it was running."""
    args = _parser().parse_args(argv)
    try:
        settings = load_settings(need=NEEDS[args.command])
    except ConfigError as exc:
        return _report(exc)
    from bot.logs import configure_logging

    # `check` prints its answers on stdout; only warnings and errors are logged (to stderr).
    level = "WARNING" if args.command == "check" and settings.log_level != "DEBUG" else None
    configure_logging(level or settings.log_level, secrets=_secrets(settings))
    try:
        from bot import bootstrap

        if args.command == "check":
            results = asyncio.run(bootstrap.check(settings))
            for check in results:
                print(f"{'ok  ' if check.ok else 'FAIL'} {check.name}: {check.detail}")
                for note in check.notes:
                    print(f"     {note}")
            return 0 if all(c.ok for c in results) else 1
        if args.command == "run":
            asyncio.run(bootstrap.run(settings, scheduler=not args.no_scheduler))
            return 0
        port = args.port if args.port is not None else settings.port
        asyncio.run(
            bootstrap.serve(settings, host=args.host, port=port, scheduler=not args.no_scheduler)
        )
        return 0
    except ConfigError as exc:
        return _report(exc)
    except StartupError as exc:
        print(f"confluence-bot: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
