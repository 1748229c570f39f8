"""Whether two YAML files load to the same value in PyYAML, as upstream loads them.

Reads pairs of paths from stdin, one pair per line separated by a tab (before, after),
and prints one JSON object per pair, in order: `same` (both load, to the same typed
value: strings byte for byte, `1` and `1.0` and `True` apart, mappings in order),
`before` and `after` (the exception each load raised, or null).

Files are read as instructlab-schema reads them: `open(path, encoding="utf-8")` (Python's
universal newlines), then `yaml.safe_load`.
"""

import json
import sys

import yaml


def typed(value):
    """The value with every node tagged by its Python type."""
    if isinstance(value, dict):
        return ("dict", [(typed(k), typed(v)) for k, v in value.items()])
    if isinstance(value, list):
        return ("list", [typed(v) for v in value])
    if isinstance(value, float):
        return ("float", repr(value))
    return (type(value).__name__, value)


def load(path):
    try:
        with open(path, encoding="utf-8") as file:
            return typed(yaml.safe_load(file)), None
    except Exception as e:  # noqa: BLE001 - any failure to load is the answer
        return None, f"{type(e).__name__}: {e}"


def main():
    for line in sys.stdin:
        line = line.rstrip("\n")
        if not line:
            continue
        before_path, after_path = line.split("\t")
        before, before_error = load(before_path)
        after, after_error = load(after_path)
        same = before_error is None and after_error is None and before == after
        print(json.dumps({"same": same, "before": before_error, "after": after_error}), flush=True)


if __name__ == "__main__":
    main()
