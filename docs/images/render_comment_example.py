"""Regenerate docs/images/pr-comment-example.png: the PR comment of a destructive plan, as GitHub shows it.

Not part of the test suite. It renders real plan fixtures (tests/review/fixtures/real/) with
`tablekit comment`, turns the Markdown into HTML with cmarkgfm (GitHub's renderer), wraps it in a
plain GitHub-like style and screenshots it with a headless Chromium:

    sudo apt-get install chromium fonts-noto-color-emoji   # once
    .venv/bin/python docs/images/render_comment_example.py [--chromium chromium]
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import cmarkgfm  # type: ignore[import-untyped]
from cmarkgfm.cmark import Options  # type: ignore[import-untyped]

ROOT = Path(__file__).resolve().parents[2]
REAL = ROOT / "tests" / "review" / "fixtures" / "real"
OUT = Path(__file__).resolve().parent / "pr-comment-example.png"
RUN_URL = "https://github.com/example-org/tablekit/actions/runs/123456789"

STYLE = """
body { font: 14px/1.5 -apple-system, "Segoe UI", "Noto Sans", Helvetica, Arial, sans-serif; color: #1f2328;
       margin: 0; padding: 16px 24px; width: 1100px; background: #fff; }
h2 { border-bottom: 1px solid #d1d9e0; padding-bottom: .3em; font-size: 1.5em; }
h3 { font-size: 1.25em; margin-top: 20px; }
code { font: 12px ui-monospace, "DejaVu Sans Mono", monospace; background: #eff1f3; padding: .2em .4em;
       border-radius: 6px; }
blockquote { margin: 0 0 16px; padding: 0 1em; border-left: .25em solid #d1d9e0; color: #59636e; }
blockquote.caution { border-left-color: #cf222e; color: #1f2328; }
blockquote.warning { border-left-color: #9a6700; }
blockquote.note { border-left-color: #0969da; }
table { border-collapse: collapse; margin: 8px 0; }
th, td { border: 1px solid #d1d9e0; padding: 6px 13px; }
tr:nth-child(2n) { background: #f6f8fa; }
a { color: #0969da; text-decoration: none; }
details { margin: 8px 0; } summary { cursor: pointer; font-weight: 600; }
"""


def comment_markdown() -> str:
    """The comment of a three-env plan: a failed env, a destructive prod plan with secrets, extras in dev."""
    with tempfile.TemporaryDirectory() as tmp:
        log = Path(tmp) / "local.log"
        log.write_text("Error: error configuring S3 Backend: no valid credential sources found\n")
        proc = subprocess.run(
            [
                sys.executable, "-m", "tablekit.commands.comment",
                "--plan", f"prod={REAL / 'tf1.0-sensitive-replace.json'}",
                "--plan", f"dev={REAL / 'tf-new-extras.json'}",
                "--failed", f"local={log}",
                "--policy", f"prod={REAL / 'checkov-plan-results.json'}",
                "--run-url", RUN_URL,
            ],
            cwd=ROOT, capture_output=True, text=True, check=True,
        )  # fmt: skip
    return proc.stdout


def to_html(markdown: str) -> str:
    html = cmarkgfm.github_flavored_markdown_to_html(markdown, options=Options.CMARK_OPT_UNSAFE)
    # GitHub draws `> [!CAUTION]` blocks as coloured alerts; mimic that much.
    for kind in ("caution", "warning", "note"):
        html = html.replace(
            f"<blockquote>\n<p>[!{kind.upper()}]", f'<blockquote class="{kind}">\n<p><b>{kind.title()}</b>'
        )
    html = html.replace("<details>", "<details open>")  # show what the collapsed list holds
    return f"<!doctype html><meta charset=utf-8><style>{STYLE}</style><body>{html}</body>"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chromium", default=shutil.which("chromium") or "chromium", help="headless Chromium binary")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        page = Path(tmp) / "comment.html"
        page.write_text(to_html(comment_markdown()), encoding="utf-8")
        subprocess.run(
            [
                args.chromium, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                f"--screenshot={OUT}", "--window-size=1150,1500", "--default-background-color=ffffffff",
                page.as_uri(),
            ],
            check=True, capture_output=True,
        )  # fmt: skip
    print(f"wrote {OUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
