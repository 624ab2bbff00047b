"""Fenced code blocks of the project's Markdown, with the `# doc-test` directive each one carries.

Why directives: a README command or usage example that nobody runs rots silently (a renamed
recipe, a flag that moved, an input that became required). Every shell block of README.md,
CONTRIBUTING.md, the pages under docs/ and the module READMEs, and every HCL example of the module
READMEs, ends with one line saying how the suite proves it (tests/docs/test_examples.py):

    # doc-test: check                    commands exist and their arguments parse (no side effects)
    # doc-test: run fixtures=NAME,...    executed with bash in a scratch directory holding NAME's files
    # doc-test: plan resources=N fixtures=NAME,...   planned on the session endpoint: N resources to add
    # doc-test: skip REASON              not run; the reason is reviewed like a checkov skip

Blocks inside the generated region of a module README (`tablekit docs`) carry none: that text is
regenerated and compared by `tablekit docs --check`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from tablekit.operations.module_docs import BEGIN, END
from tablekit.paths import MODULES, ROOT

FENCE = re.compile(r"^```(\w*)\s*$")
DIRECTIVE = re.compile(r"^#\s*doc-test:\s*(\w+)\s*(.*)$")
SHELL = {"sh", "bash", "shell"}
CHECKED_LANGUAGES = SHELL | {"hcl"}


@dataclass
class Block:
    path: Path
    line: int  # 1-based line of the opening fence
    language: str
    body: str  # without the directive line
    mode: str = ""
    options: dict[str, str] = field(default_factory=dict)
    reason: str = ""
    generated: bool = False

    @property
    def where(self) -> str:
        return f"{self.path.relative_to(ROOT)}:{self.line}"

    @property
    def fixtures(self) -> list[str]:
        return [f for f in self.options.get("fixtures", "").split(",") if f]


def blocks(path: Path) -> list[Block]:
    """Every fenced block of one Markdown file, in order."""
    found: list[Block] = []
    lines = path.read_text().splitlines()
    in_generated = False
    i = 0
    while i < len(lines):
        text = lines[i]
        if BEGIN in text:
            in_generated = True
        if END in text:
            in_generated = False
        match = FENCE.match(text)
        if not match:
            i += 1
            continue
        start, language, body = i + 1, match.group(1), []
        i += 1
        while i < len(lines) and lines[i].strip() != "```":
            body.append(lines[i])
            i += 1
        i += 1
        block = Block(path=path, line=start, language=language, body="", generated=in_generated)
        while body and not body[-1].strip():
            body.pop()
        directive = DIRECTIVE.match(body[-1].strip()) if body else None
        if directive:
            body.pop()
            block.mode = directive.group(1)
            rest = directive.group(2).strip()
            if block.mode == "skip":
                block.reason = rest
            else:
                block.options = dict(part.split("=", 1) for part in rest.split() if "=" in part)
        block.body = "\n".join(body) + "\n"
        found.append(block)
    return found


def documented() -> list[Block]:
    """The blocks the suite must cover: shell blocks of the READMEs (examples' too), CONTRIBUTING.md and
    every page under docs/ (a new page is covered without being listed), HCL of module READMEs."""
    files = [
        ROOT / "README.md",
        ROOT / "CONTRIBUTING.md",
        *sorted((ROOT / "docs").glob("*.md")),
        *sorted(MODULES.glob("*/README.md")),
        *sorted(MODULES.glob("*/examples/*/README.md")),
    ]
    return [
        b
        for f in files
        for b in blocks(f)
        if not b.generated and (b.language in SHELL or (b.language == "hcl" and f.parent.parent == MODULES))
    ]


def commands(body: str) -> list[str]:
    """The commands of a shell block: continuation lines joined, comment-only lines dropped."""
    joined = body.replace("\\\n", " ")
    out = []
    for line in joined.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            out.append(line)
    return out
