"""``make bench``: every benchmark, one ``BENCH`` line per figure; exits 1 if a goal is missed."""

from __future__ import annotations

import sys

from benchmarks import (
    api_list,
    common,
    home_pages,
    peak,
    problem_grading,
    progress_report,
    progress_writes,
    unit_pages,
    vista_scale,
    workbench_peer,
)


def main() -> int:
    """Run the benchmarks named on the command line, or all of them."""
    chosen = set(sys.argv[1:])
    modules = (
        ("unit_pages", unit_pages),
        ("workbench_peer", workbench_peer),
        ("progress_writes", progress_writes),
        ("progress_report", progress_report),
        ("vista_scale", vista_scale),
        ("problem_grading", problem_grading),
        ("api_list", api_list),
        ("home_pages", home_pages),
        ("peak", peak),
    )
    for name, module in modules:
        if not chosen or name in chosen:
            module.run()
    return 0 if all(common.RESULTS) else 1


if __name__ == "__main__":
    sys.exit(main())
