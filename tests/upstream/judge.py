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
- `load`, with `--values`: what `yaml.safe_load` makes of the text as upstream reads
  it, `{"value": V}` or `{"error": "Type: message"}`, V encoded as `["null"]`,
  `["bool", b]`, `["int", "digits"]`, `["float", "repr"]`, `["str", s]`,
  `["binary"]`, `["timestamp"]`, `["seq", [V...]]`, `["tuple", [V...]]`,
  `["map", [[K, V]...]]` or `["set", [V...]]` (in no order).

A lone surrogate (which a Python string may hold, from an escape like `"\\ud800"`)
is written as taxon keeps it: the code point U+10F800 + (surrogate - U+D800).

The parser runs yamllint as a subprocess per file. By default the judge answers that
call from one long-lived yamllint worker process (same yamllint, same configuration,
the same `parsable` lines the CLI prints: `stdin:L:C: [level] message (rule)`), so
hundreds of files take seconds; `--real-yamllint` keeps the real subprocess per file
(use it to check that the two agree). yamllint is never imported into the parser's
own process: its rules change PyYAML's global resolver.
"""

import argparse
import datetime
import json
import logging
import multiprocessing
import os
import pathlib
import re
import subprocess
import sys
import types

venv_bin = pathlib.Path(sys.executable).parent
os.environ["PATH"] = f"{venv_bin}{os.pathsep}{os.environ.get('PATH', '')}"

import instructlab.schema.taxonomy as upstream  # noqa: E402
import yaml  # noqa: E402

SURROGATE = re.compile("[\ud800-\udfff]")


def without_surrogates(text):
    """The text with each lone surrogate as taxon keeps it (see the module's doc)."""
    return SURROGATE.sub(lambda m: chr(0x10F800 + ord(m.group()) - 0xD800), text)


def encode(value):
    """A loaded value in the JSON form the module's doc describes."""
    if value is None:
        return ["null"]
    if isinstance(value, bool):
        return ["bool", value]
    if isinstance(value, int):
        return ["int", str(value)]
    if isinstance(value, float):
        return ["float", repr(value)]
    if isinstance(value, str):
        return ["str", value]
    if isinstance(value, bytes):
        return ["binary"]
    if isinstance(value, (datetime.date, datetime.datetime)):
        return ["timestamp"]
    if isinstance(value, list):
        return ["seq", [encode(item) for item in value]]
    if isinstance(value, tuple):
        return ["tuple", [encode(item) for item in value]]
    if isinstance(value, dict):
        return ["map", [[encode(k), encode(v)] for k, v in value.items()]]
    if isinstance(value, (set, frozenset)):
        members = [encode(item) for item in value]
        return ["set", members]
    return ["unknown", type(value).__name__]


def load(path):
    """`yaml.safe_load` of the file as upstream reads it."""
    try:
        return {"value": encode(yaml.safe_load(pathlib.Path(path).read_text(encoding="utf-8")))}
    except Exception as e:  # noqa: BLE001 - every failure is a verdict
        return {"error": f"{type(e).__name__}: {e}"}


def lint_worker(conn, config_text):
    """Answers yamllint requests (file bytes) in its own process, as upstream's
    subprocess does. It must be another process: importing yamllint's rules adds an
    int resolver to PyYAML's global Resolver (`rules/quoted_strings.py`, which makes
    `0o17` an int), and that must not leak into the parser's `yaml.safe_load`."""
    from yamllint import linter
    from yamllint.config import YamlLintConfig

    config = YamlLintConfig(config_text)
    while (data := conn.recv()) is not None:
        try:
            problems = [(p.line, p.column, p.level, p.desc, p.rule, p.message) for p in linter.run(data, config, "")]
            conn.send((problems, None))
        except Exception as e:  # yamllint only catches YAML syntax errors
            conn.send(([], f"{type(e).__name__}: {e}"))


class Linter:
    """yamllint with upstream's configuration in a worker process; each text is
    linted once (a file is asked for up to three times)."""

    def __init__(self):
        context = multiprocessing.get_context("spawn")
        self.conn, child = context.Pipe()
        self.process = context.Process(target=lint_worker, args=(child, upstream.DEFAULT_YAMLLINT_CONFIG), daemon=True)
        self.process.start()
        self.cache = {}

    def lint(self, data):
        """(problems as (line, col, level, desc, rule, message) tuples, exception text or None)."""
        if data not in self.cache:
            if len(self.cache) > 64:
                self.cache.clear()
            self.conn.send(data)
            self.cache[data] = self.conn.recv()
        return self.cache[data]

    def close(self):
        self.conn.send(None)
        self.process.join()


LINTER = None


def in_process_run(cmd, *, input, text, stdout, stderr, check):  # noqa: A002
    """What `subprocess.run(["yamllint", "-f", "parsable", "-d", CONFIG, "-"])` prints."""
    assert cmd[0] == "yamllint" and cmd[-1] == "-" and text and not check, cmd
    assert cmd[4] == upstream.DEFAULT_YAMLLINT_CONFIG, cmd
    # The CLI reads `sys.stdin.buffer`; subprocess encoded the text as UTF-8.
    problems, crash = LINTER.lint(input.encode("utf-8"))
    out = [f"stdin:{line}:{col}: [{level}] {message}" for line, col, level, _, _, message in problems]
    if crash:  # the CLI would print a traceback: no parsable lines
        out.append(f"Traceback: {crash}")
    return subprocess.CompletedProcess(cmd, 0, stdout="\n".join(out) + "\n" if out else "")


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
    problems, crash = LINTER.lint(pathlib.Path(path).read_bytes())
    findings = [
        {"line": line, "col": col, "rule": rule if rule is not None else "syntax", "level": level, "message": desc}
        for line, col, level, desc, rule, _ in problems
    ]
    return findings, crash


def main():
    cli = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    cli.add_argument("--v3", action="store_true", help="also judge with schema_version=3 forced")
    cli.add_argument("--real-yamllint", action="store_true", help="run yamllint as a subprocess, as upstream does")
    cli.add_argument("--values", action="store_true", help="also give what yaml.safe_load makes of each file")
    args = cli.parse_args()

    global LINTER
    LINTER = Linter()
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
        if args.values:
            record["load"] = load(path)
        out.write(without_surrogates(json.dumps(record, ensure_ascii=False)) + "\n")
        out.flush()
    LINTER.close()
    assert "yamllint" not in sys.modules, "yamllint was imported into the parser's process"


if __name__ == "__main__":
    main()
