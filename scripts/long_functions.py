"""List the functions longer than a limit (60 lines by default) in the application packages,
tests and migrations excepted: `python scripts/long_functions.py [LIMIT]`. Exits 1 when it
finds any, so it can guard the limit; a function is counted from its `def` to its last line."""

import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
APPS = (
    "core",
    "console",
    "outages",
    "scripts_library",
    "callbacks",
    "contact",
    "planning",
    "workload",
    "notifications",
    "reports",
    "api",
    "statuspage",
)


def long_functions(limit):
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
                if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                    lines = node.end_lineno - node.lineno + 1
                    if lines > limit:
                        yield lines, f"{path.relative_to(ROOT)}:{node.lineno}", node.name


def main():
    limit = int(sys.argv[1]) if len(sys.argv) > 1 else 60
    found = sorted(long_functions(limit), reverse=True)
    for lines, where, name in found:
        print(f"{lines:4d}  {where}  {name}")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
