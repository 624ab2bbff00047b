"""Benchmark of `check-queries` on a generated application tree (target: 1,000 files in under 5 s).

Generates a source tree of Python (boto3 resource and client calls, Key()/Attr() conditions, string
expressions, env-variable and constant table names) and JavaScript/TypeScript files (v3 commands and
v2 DocumentClient params objects) over the local env's declared tables, then times, in one run:

- parse only (the baseline): `ast.parse` and tree-sitter's parse of every file, nothing else;
- check: finding, resolving and checking every call (tablekit.queries.source.check_tree);
- command: `tablekit check-queries local --source TREE --json` end to end, as a user runs it
  (interpreter start, imports, the cached declared tables, the report), as wall-clock and CPU
  time: on a machine other work also loads, CPU time is the figure that does not depend on it.

The env's declared tables come from its plan, cached under build/queries; planning (first run
after a Terraform edit) happens before any timing and is outside the budget. Not part of the test
suite: `./just bench-queries` or `.venv/bin/python bench/bench_queries.py [--files N]`.
"""

from __future__ import annotations

import argparse
import ast
import os
import random
import resource
import subprocess
import sys
import tempfile
from pathlib import Path

from bench_compat import _timed  # the benchmarks' one median-of-runs timer

from tablekit.commands.check_queries import _plan
from tablekit.queries import declared, source
from tablekit.queries.js_calls import _parser
from tablekit.queries.schema import Declared, TableSchema

TARGET_SECONDS = 5.0
TARGET_FILES = 1000


def _python_file(rng: random.Random, tables: list[TableSchema], app: dict[str, str]) -> str:
    var_of = {name: var for var, name in app.items()}
    lines = ["import os", "import boto3", "from boto3.dynamodb.conditions import Attr, Key", ""]
    lines += ["dynamodb = boto3.resource('dynamodb')", "client = boto3.client('dynamodb')", ""]
    for number in range(rng.randint(3, 8)):
        table = rng.choice(tables)
        binding = f"os.environ['{var_of[table.name]}']" if table.name in var_of else repr(table.name)
        key = table.key
        lines += [f"def handler_{number}(event):", f"    table = dynamodb.Table({binding})"]
        kind = rng.randrange(4)
        if kind == 0:
            condition = f"Key({key.hash_key!r}).eq(event['id'])"
            if key.range_key:
                condition += f" & Key({key.range_key!r}).gt(event['after'])"
            lines.append(f"    return table.query(KeyConditionExpression={condition}, Limit=20)")
        elif kind == 1:
            fields = ", ".join(f"{k!r}: event[{k!r}]" for k in key.names)
            lines.append(f"    return table.get_item(Key={{{fields}}})")
        elif kind == 2:
            lines += [
                f"    return client.query(TableName={table.name!r}, KeyConditionExpression='#h = :h',",
                f"        ExpressionAttributeNames={{'#h': {key.hash_key!r}}},",
                "        ExpressionAttributeValues={':h': {'S': event['id']}})",
            ]
        else:
            lines.append("    return table.scan(FilterExpression=Attr('status').eq('open'))")
        lines += ["", ""]
    lines += [f"# filler {i}: business logic that is not DynamoDB" for i in range(40)]
    lines += ["def helper(rows):", "    return [r for r in rows if r.get('x')]", ""]
    return "\n".join(lines)


def _script_file(rng: random.Random, tables: list[TableSchema]) -> str:
    lines = ['import { DynamoDBDocumentClient, QueryCommand, GetCommand } from "@aws-sdk/lib-dynamodb";', ""]
    for number in range(rng.randint(3, 8)):
        table = rng.choice(tables)
        key = table.key
        if rng.random() < 0.5:
            lines += [
                f"export async function find{number}(id) {{",
                "  const params = {",
                f'    TableName: "{table.name}",',
                '    KeyConditionExpression: "#h = :h",',
                f'    ExpressionAttributeNames: {{ "#h": "{key.hash_key}" }},',
                '    ExpressionAttributeValues: { ":h": id },',
                "  };",
                "  return ddb.send(new QueryCommand(params));",
                "}",
            ]
        else:
            fields = ", ".join(f"{k}: id" for k in key.names)
            lines += [
                f"export const get{number} = (id) =>",
                f'  ddb.send(new GetCommand({{ TableName: "{table.name}", Key: {{ {fields} }} }}));',
            ]
    lines += [f"// filler {i}: application logic" for i in range(40)]
    return "\n".join(lines)


def generate(root: Path, files: int, schema: Declared, seed: int = 24) -> None:
    rng = random.Random(seed)
    tables = list(schema.tables.values())
    for number in range(files):
        folder = root / f"service{number % 20}"
        folder.mkdir(parents=True, exist_ok=True)
        roll = rng.random()
        if roll < 0.6:
            (folder / f"handler_{number}.py").write_text(_python_file(rng, tables, dict(schema.app_config)))
        else:
            suffix = ".ts" if roll < 0.8 else ".js"
            (folder / f"api_{number}{suffix}").write_text(_script_file(rng, tables))


def parse_only(root: Path) -> int:
    """The baseline: parse every file the check reads, nothing else."""
    count = 0
    for path in source.source_files(root):
        text = path.read_text()
        if path.suffix == ".py":
            ast.parse(text)
        else:
            _parser(path.suffix)[0].parse(text.encode())
        count += 1
    return count


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--files", type=int, default=TARGET_FILES)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    schema = declared.load("local", _plan, say=print)  # cached plan: outside the budget
    with tempfile.TemporaryDirectory(prefix="bench-queries-") as tmp:
        root = Path(tmp) / "app"
        generate(root, args.files, schema)
        report = source.check_tree(root, schema)
        t_parse = _timed(lambda: parse_only(root), args.repeat)
        t_check = _timed(lambda: source.check_tree(root, schema), args.repeat)
        command = [str(Path(sys.executable).parent / "tablekit"), "check-queries", "local", "--source", str(root)]
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t_command = _timed(lambda: subprocess.run([*command, "--json"], capture_output=True, check=False), args.repeat)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu_command = (after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime) / args.repeat
    load = os.getloadavg()[0]
    print(f"check-queries on {report.files} generated files, {len(report.calls)} calls (median of {args.repeat})")
    print(f"  {'stage':<28}{'seconds':>9}{'x parse':>9}")
    for label, seconds in (
        ("parse only (baseline)", t_parse),
        ("check (find+resolve+rules)", t_check),
        ("command end to end", t_command),
    ):
        print(f"  {label:<28}{seconds:>9.2f}{seconds / t_parse:>9.1f}")
    for what, seconds in (("wall clock", t_command), ("CPU time", cpu_command)):
        verdict = "within" if seconds < TARGET_SECONDS else "OVER"
        target = f", {verdict} the {TARGET_SECONDS:.0f} s target" if report.files >= TARGET_FILES else ""
        print(f"  {report.files:,} files end to end, {what}: {seconds:.2f} s{target}")
    print(f"  load average during the run: {load:.1f} on {os.cpu_count()} cores (others' work slows every row alike)")
    counts = ", ".join(f"{report.count(s)} {s}" for s in ("error", "warning", "not-checked"))
    print(f"  findings: {counts}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
