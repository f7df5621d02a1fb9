"""Where a `mkdocs serve` rebuild spends its time (issue 12, P3c), in one process.

Builds a site project the way `mkdocs serve` does (one plugin instance kept between
builds, the config loaded again for each), edits one service file, and profiles the
rebuild with cProfile. Prints the build's wall and CPU time and the top functions.

    python benchmarks/profile_serve.py PROJECT [--edits 2] [--top 40] [--dump FILE]

PROJECT is a site project (mkdocs.yml, docs/, registry/), e.g. one `bench_scale.py --keep`
left, or one made with `bench_site.site_project`.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_scale import edit_service


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("project", type=Path)
    parser.add_argument("--edits", type=int, default=2, help="rebuilds after an edit")
    parser.add_argument("--top", type=int, default=40)
    parser.add_argument("--sort", default="cumulative")
    parser.add_argument("--dump", type=Path, help="also save the profile (pstats) here")
    args = parser.parse_args(argv)
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
    os.chdir(args.project)

    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    site_dir = tempfile.mkdtemp(prefix="mkdocs_")

    def get_config():  # as mkdocs.commands.serve does
        config = load_config(config_file="mkdocs.yml", site_dir=site_dir)
        config.site_url = "http://127.0.0.1:8000/"
        return config

    config = get_config()
    config.plugins.on_startup(command="serve", dirty=False)
    start = time.perf_counter()
    build(config, serve_url="http://127.0.0.1:8000/")
    print(f"initial build {time.perf_counter() - start:.2f} s")
    profile = cProfile.Profile()
    for n in range(args.edits):
        edit_service(Path("registry"), f"profile-{n}-{time.time_ns()}", n)
        start, cpu = time.perf_counter(), time.process_time()
        profile.enable()
        build(get_config(), serve_url="http://127.0.0.1:8000/")
        profile.disable()
        print(
            f"rebuild {n}: {time.perf_counter() - start:.2f} s "
            f"(cpu {time.process_time() - cpu:.2f} s)"
        )
    config.plugins.on_shutdown()
    if args.dump:
        profile.dump_stats(args.dump)
    pstats.Stats(profile).sort_stats(args.sort).print_stats(args.top)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
