"""``python -m bench seed|run|profile …``: each subcommand takes its own options (``--help`` after it)."""

from __future__ import annotations

import argparse
import sys


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("command", choices=("seed", "run", "profile"),
                        help="seed: build a benchmark database; run: measure it; profile: where a page's CPU goes")
    parser.add_argument("args", nargs=argparse.REMAINDER, help="the subcommand's options")
    ns = parser.parse_args(argv)
    # Imported only when chosen: `seed` works without the runner and `run` without the seeder's dependencies.
    if ns.command == "seed":
        from bench.seed import main as command
    elif ns.command == "profile":
        from bench.profile import main as command
    else:
        from bench.runner import main as command
    return command(ns.args) or 0


if __name__ == "__main__":
    sys.exit(main())
