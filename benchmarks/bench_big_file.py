"""Time rendering one big schema YAML file after a run's edits (the merge check must stay linear).

Generates a schema.yml of about SIZE megabytes (default 5): models with placeholder and hand-written
column descriptions, blank lines between entries. A third of the models get new columns, a third get
placeholders filled, as `yaml document --synthesize` would. Prints the time of each phase.

    .venv/bin/python benchmarks/bench_big_file.py [SIZE_MB]
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from ruamel.yaml.comments import CommentedMap

from dbt_osmosis.core.schema.entries import insert_item
from dbt_osmosis.core.schema.yamlio import SchemaFile


def generate(path: Path, megabytes: float) -> None:
    lines = ["version: 2", "", "models:"]
    size, index = 0, 0
    while size < megabytes * 1_000_000:
        block = [
            f"  - name: model_{index}  # generated",
            f"    description: Model number {index}.",
            "    columns:",
        ]
        for column in range(12):
            block.append(f"      - name: column_{column}")
            text = '""' if column % 3 == 0 else f"Column {column} of model {index}, written by hand."
            block.append(f"        description: {text}")
        block.append("")
        lines += block
        size += sum(len(line) + 1 for line in block)
        index += 1
    path.write_text("\n".join(lines) + "\n")


def main(megabytes: float) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "schema.yml"
        generate(path, megabytes)
        print(f"file: {path.stat().st_size / 1e6:.1f} MB")
        t0 = time.perf_counter()
        schema_file = SchemaFile.read(path, "schema.yml")
        t1 = time.perf_counter()
        schema_file.make_editable()
        t2 = time.perf_counter()
        for number, entry in enumerate(schema_file.data["models"]):
            if number % 3 == 0:
                insert_item(entry["columns"], 12, CommentedMap(name="new_column", data_type="varchar"))
            elif number % 3 == 1:
                entry["columns"][0]["description"] = "Filled by the run."
        schema_file.touch()
        t3 = time.perf_counter()
        edited = schema_file._dump(schema_file.data)
        t4 = time.perf_counter()
        overlaid = schema_file._overlay(schema_file.original or "", edited)
        t5 = time.perf_counter()
        text = schema_file.render()
        print(f"read (C loader)        {t1 - t0:7.2f} s")
        print(f"round-trip parse       {t2 - t1:7.2f} s")
        print(f"edits                  {t3 - t2:7.2f} s")
        print(f"ruamel dump            {t4 - t3:7.2f} s")
        print(f"merge check (overlay)  {t5 - t4:7.2f} s   linear path taken: {overlaid is not None}")
        print(f"output: {len(text) / 1e6:.1f} MB")


if __name__ == "__main__":
    main(float(sys.argv[1]) if len(sys.argv) > 1 else 5.0)
