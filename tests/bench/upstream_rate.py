"""Times upstream's validator (instructlab-schema's TaxonomyParser, which runs
yamllint as a subprocess, as `ilab taxonomy diff` and the taxonomy CI do) over the
files named on stdin, one per line. A file PyYAML cannot read raises
TaxonomyReadingException: it counts as one error (taxon reports a syntax error
there). Prints files per second as JSON."""

import json
import os
import pathlib
import sys
import time

venv_bin = pathlib.Path(sys.executable).parent
os.environ["PATH"] = f"{venv_bin}{os.pathsep}{os.environ.get('PATH', '')}"

from instructlab.schema.taxonomy import TaxonomyParser, TaxonomyReadingException  # noqa: E402

files = [line.strip() for line in sys.stdin if line.strip()]
parser = TaxonomyParser(schema_version=0, message_format="LOGGING")
parser.yq_available = False  # upstream without yq, as in its CI
errors = unreadable = 0
start = time.perf_counter()
for name in files:
    try:
        errors += parser.parse(name).errors
    except TaxonomyReadingException:
        errors += 1
        unreadable += 1
elapsed = time.perf_counter() - start
print(json.dumps({"files": len(files), "seconds": elapsed, "files_per_second": len(files) / elapsed, "errors": errors, "unreadable": unreadable}))
