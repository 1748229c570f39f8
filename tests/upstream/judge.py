"""Upstream's verdict on taxonomy files, for taxon's differential test.

Reads file paths from stdin, one per line, and prints one JSON object per file, in
the same order, on stdout:

- `own`: instructlab-schema's `TaxonomyParser(schema_version=0)` (each file's own
  version, yamllint non-strict: what the taxonomy CI does with SCHEMA_VERSION=0),
  followed by the CI's attribution check of taxonomy `scripts/check-yaml.py` (for a
  version above 1 the sibling `attribution.txt` must exist and be non-empty; counted
  as an error). `has_error` is true when there is an error or the parser raised
  (a YAML syntax error raises `TaxonomyReadingException`, which CI does not catch).
  Each message carries the step that produced it (`phase`: parse, yamllint,
  schema or ci).
- `forced_v3`: the same with `schema_version=3` (CI on changed files), with `--v3`.
- `yamllint`: yamllint's own findings on the file's raw bytes (no newline
  translation) with upstream's configuration, as {line, col, rule, level, message};
  a syntax error has rule "syntax". `yamllint_crash` holds the exception text when
  yamllint itself raised (it only catches YAML syntax errors).

The parser runs yamllint as a subprocess per file. By default the judge answers that
subprocess call in-process with the same yamllint version and configuration and
the same `parsable` output the CLI prints (`stdin:L:C: [level] message (rule)`), so
hundreds of files take seconds; `--real-yamllint` keeps the real subprocess (use it
to check that the two agree: on the 405-file differential corpus the output is
byte-identical, at a fifth of the time).
"""

import argparse
import functools
import json
import logging
import os
import pathlib
import subprocess
import sys
import types

venv_bin = pathlib.Path(sys.executable).parent
os.environ["PATH"] = f"{venv_bin}{os.pathsep}{os.environ.get('PATH', '')}"

import instructlab.schema.taxonomy as upstream  # noqa: E402
from yamllint import linter  # noqa: E402
from yamllint.config import YamlLintConfig  # noqa: E402

CONFIG = YamlLintConfig(upstream.DEFAULT_YAMLLINT_CONFIG)


def in_process_run(cmd, *, input, text, stdout, stderr, check):  # noqa: A002
    """What `subprocess.run(["yamllint", "-f", "parsable", "-d", CONFIG, "-"])` prints."""
    assert cmd[0] == "yamllint" and cmd[-1] == "-" and text and not check, cmd
    assert cmd[4] == upstream.DEFAULT_YAMLLINT_CONFIG, cmd
    # The CLI reads `sys.stdin.buffer`; subprocess encoded the text as UTF-8.
    problems, crash = lint(input.encode("utf-8"))
    out = [f"stdin:{p.line}:{p.column}: [{p.level}] {p.message}" for p in problems]
    if crash:  # the CLI would print a traceback: no parsable lines
        out.append(f"Traceback: {crash}")
    return subprocess.CompletedProcess(cmd, 0, stdout="\n".join(out) + "\n" if out else "")


@functools.lru_cache(maxsize=64)
def lint(data):
    """yamllint's problems on `data` (bytes) with upstream's configuration, and the
    exception text if yamllint raised; cached, as each file is linted up to three times."""
    try:
        return tuple(linter.run(data, CONFIG, "")), None
    except Exception as e:
        return (), f"{type(e).__name__}: {e}"


class Messages(logging.Handler):
    """Collects the parser's messages (LOGGING format) for the current file."""

    def __init__(self):
        super().__init__()
        self.records = []
        self.phase = "parse"

    def emit(self, record):
        self.records.append({"level": record.levelname.lower(), "phase": self.phase, "text": record.getMessage()})


def tag_phases(parser, messages):
    """Marks each message with the step that produced it: parse, yamllint, schema or ci."""
    for name, phase in (("_yamllint", "yamllint"), ("_schema_validate", "schema")):
        original = getattr(parser, name)

        def wrapped(*args, _original=original, _phase=phase, **kwargs):
            messages.phase = _phase
            try:
                return _original(*args, **kwargs)
            finally:
                messages.phase = "parse"

        setattr(parser, name, wrapped)


def ci_check(parser, path, messages):
    """One file as CI sees it: parse, then the attribution check."""
    messages.records = []
    result = {"exception": None}
    try:
        taxonomy = parser.parse(path)
    except upstream.TaxonomyReadingException as e:
        cause = e.__cause__ or e
        result.update(exception=f"{type(cause).__name__}: {cause}", errors=0, warnings=0, version=None)
        result["has_error"] = True
        result["messages"] = messages.records
        return result
    version = taxonomy.version
    messages.phase = "ci"
    if version > 1:
        attribution = taxonomy.rel_path.with_name("attribution.txt")
        if not attribution.is_file():
            taxonomy.error('The "%s" file does not exist or is not a file', attribution.name)
        elif os.path.getsize(attribution) == 0:
            taxonomy.error('The "%s" file must be non-empty', taxonomy.path.with_name(attribution.name))
    messages.phase = "parse"
    result.update(
        errors=taxonomy.errors,
        warnings=taxonomy.warnings,
        version=version if isinstance(version, int) and not isinstance(version, bool) else repr(version),
        has_error=taxonomy.errors > 0,
        messages=messages.records,
    )
    return result


def raw_yamllint(path):
    """yamllint's findings on the file's bytes, and its exception if it raised."""
    problems, crash = lint(pathlib.Path(path).read_bytes())
    findings = [
        {
            "line": p.line,
            "col": p.column,
            "rule": p.rule if p.rule is not None else "syntax",
            "level": p.level,
            "message": p.desc,
        }
        for p in problems
    ]
    return findings, crash


def main():
    cli = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    cli.add_argument("--v3", action="store_true", help="also judge with schema_version=3 forced")
    cli.add_argument("--real-yamllint", action="store_true", help="run yamllint as a subprocess, as upstream does")
    args = cli.parse_args()

    if not args.real_yamllint:
        shim = types.SimpleNamespace(**{name: getattr(subprocess, name) for name in dir(subprocess) if not name.startswith("_")})
        shim.run = in_process_run
        upstream.subprocess = shim

    messages = Messages()
    logger = logging.getLogger(upstream.__name__)
    logger.addHandler(messages)
    logger.setLevel(logging.DEBUG)
    logger.propagate = False

    parsers = {"own": upstream.TaxonomyParser(schema_version=0, message_format="LOGGING")}
    if args.v3:
        parsers["forced_v3"] = upstream.TaxonomyParser(schema_version=3, message_format="LOGGING")
    for parser in parsers.values():
        parser.yq_available = False  # upstream without yq, as in its CI: every line is 1
        tag_phases(parser, messages)

    out = sys.stdout
    for line in sys.stdin:
        path = line.rstrip("\n")
        if not path:
            continue
        record = {"path": path}
        for name, parser in parsers.items():
            record[name] = ci_check(parser, path, messages)
        record["yamllint"], record["yamllint_crash"] = raw_yamllint(path)
        out.write(json.dumps(record, ensure_ascii=False) + "\n")
        out.flush()


if __name__ == "__main__":
    main()
