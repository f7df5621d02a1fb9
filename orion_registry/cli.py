"""`orion-registry`: each subcommand is a small module in `commands/` returning an exit code.

Exit codes: 0 clean (warnings allowed), 1 error-level findings, 2 unusable input or usage.
"""

from __future__ import annotations

import argparse
import gc
import sys
from collections.abc import Sequence

from . import __version__
from .commands import COMMANDS
from .commands.common import UsageError, resolve_registry
from .loader import RegistryNotFound
from .reporters.escape import inert


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="orion-registry",
        description="Orion's database conventions as an executable registry.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for command in COMMANDS:
        command.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    if argv is None:  # a process of its own (console script, -m): it ends after this command
        gc.disable()  # so no pass of the cycle collector over the loaded registry pays off
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        resolve_registry(args)
        return args.run(args)
    except (RegistryNotFound, UsageError) as exc:
        print(f"orion-registry: error: {inert(exc)}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # e.g. `orion-registry rules | head`
        sys.stderr.close()
        return 0
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
