"""`catalog relay` and `catalog events tail`: the commands around the event stream."""

import argparse

from entrypoints.cli.common import CommandError, Subcommands, settings


def add_parsers(commands: Subcommands) -> None:
    relay = commands.add_parser("relay", help="publish the outbox to NATS JetStream")
    relay.add_argument("--metrics-port", type=int, help="serve the relay's Prometheus metrics")
    relay.add_argument("--metrics-host", default="127.0.0.1")
    events = commands.add_parser("events", help="look at the published events")
    tail = events.add_subparsers(dest="events_command", required=True, metavar="COMMAND")
    follow = tail.add_parser("tail", help="print events as they arrive (one JSON per line)")
    follow.add_argument("--all", action="store_true", help="start from the first event kept")
    follow.add_argument("--limit", type=int, help="stop after this many events")


async def relay_command(args: argparse.Namespace) -> None:
    from entrypoints.events import relay

    await relay(settings(), metrics_port=args.metrics_port, metrics_host=args.metrics_host)


async def events_command(args: argparse.Namespace) -> None:
    from entrypoints.events import tail

    if args.limit is not None and args.limit < 1:
        raise CommandError("--limit must be at least 1")
    await tail(settings(), from_start=args.all, limit=args.limit)
