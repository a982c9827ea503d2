#!/usr/bin/env python3
"""Scores a scanner's output against the labeled corpus.

usage: accuracy.py LABELS_JSON CORPUS_ROOT TOOL OUTPUT_FILE

TOOL is one of rampart, detect-secrets, ripsecrets, secretlint; OUTPUT_FILE
is that tool's native output (rampart: `scan --json`, detect-secrets: its
baseline JSON, ripsecrets: `path:line:text` lines, secretlint:
`--format json`). Scoring is per line, as in rampart_detect::corpus::score:
a finding on a planted line (or inside a planted multi-line block) is a true
positive once per planted secret; a finding on any other line is a false
positive, once per distinct line. Prints one JSON object.
"""

import json
import os
import sys


def rel(path, root):
    path = os.path.normpath(path)
    if os.path.isabs(path):
        path = os.path.relpath(path, root)
    return path


def findings(tool, out, root):
    if tool == "rampart":
        for f in json.load(open(out))["findings"]:
            yield rel(f["path"], root), f["line"]
    elif tool == "detect-secrets":
        for path, items in json.load(open(out))["results"].items():
            for f in items:
                yield rel(path, root), f["line_number"]
    elif tool == "ripsecrets":
        for line in open(out, encoding="utf-8", errors="replace"):
            parts = line.split(":", 2)
            if len(parts) >= 2 and parts[1].isdigit():
                yield rel(parts[0], root), int(parts[1])
    elif tool == "secretlint":
        for f in json.load(open(out)):
            for m in f.get("messages", []):
                yield rel(f["filePath"], root), m["loc"]["start"]["line"]
    else:
        sys.exit(f"unknown tool {tool!r}")


def main():
    if len(sys.argv) != 5:
        sys.exit(__doc__)
    labels_path, root, tool, out = sys.argv[1:]
    root = os.path.abspath(root)
    planted = json.load(open(labels_path))["planted"]
    # ACC_ONLY=id,id,...: score only these types; findings on the lines of
    # other planted types count neither way.
    only = set(filter(None, os.environ.get("ACC_ONLY", "").split(",")))
    by_path = {}
    for i, p in enumerate(planted):
        by_path.setdefault(p["path"], []).append((i, p["line"], p["end_line"], p["rule_id"]))
    hit = set()
    fp_lines = set()
    for path, line in findings(tool, out, root):
        matched = [(i, r) for i, a, b, r in by_path.get(path, []) if a <= line <= b]
        if matched:
            hit.update(i for i, r in matched if not only or r in only)
        else:
            fp_lines.add((path, line))
    if only:
        planted = [p if p["rule_id"] in only else None for p in planted]
    tp, fp = len(hit), len(fp_lines)
    fn = sum(1 for p in planted if p is not None) - tp
    missed = {}
    for i, p in enumerate(planted):
        if p is not None and i not in hit:
            missed[p["rule_id"]] = missed.get(p["rule_id"], 0) + 1
    print(json.dumps({
        "tool": tool,
        "true_positives": tp,
        "false_positives": fp,
        "false_negatives": fn,
        "recall": round(tp / (tp + fn), 4) if tp + fn else 1.0,
        # With ACC_ONLY, false positives are counted against a subset of the
        # true positives, which says nothing: precision is for the whole corpus.
        "precision": None if only else (round(tp / (tp + fp), 4) if tp + fp else 1.0),
        "missed_types": len(missed),
    }))


if __name__ == "__main__":
    main()
