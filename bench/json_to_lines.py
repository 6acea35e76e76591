#!/usr/bin/env python3
"""Turn a smartedu-lint JSON report into `path:line: rule` lines, one per place.

usage: json_to_lines.py REPORT.json > REPORT.txt

A finding merged from several places (the same secret in several files or commits) lists
the others under `also_at`; each place gets its own line, so a scorer that looks for a
file and line finds every copy. Only the standard library is used.
"""
import json
import sys


def main():
    with open(sys.argv[1], encoding="utf-8") as f:
        report = json.load(f)
    for finding in report.get("findings", []):
        rule = finding.get("rule_id", "")
        for place in [finding] + finding.get("also_at", []):
            print(f"{place['path']}:{place['line']}: {rule}")


if __name__ == "__main__":
    main()
