"""tablekit.terraform.hclscan: the structure of .tf files with exact spans, whatever the expressions hold."""

from __future__ import annotations

import pytest

from tablekit.paths import ENVS, MODULES
from tablekit.terraform import hclscan

TRICKY = """locals {
  # a comment with { braces } and "quotes"
  message = "a ${var.x} with } and { inside ${join(",", ["}"])}" # trailing comment
  literal = "$${not.interpolated} and %%{ not a directive"
  doc     = <<-EOT
    heredoc with } and " and ${var.y}
    EOT
  multi = merge(
    { a = 1 },
    { b = [2, 3] },
  )
}

resource "aws_x" "y" {
  ttl { enabled = false }
  /* block comment } */
  dynamic "tag" {
    for_each = var.tags
    content {
      key = tag.key
    }
  }
}
"""


def test_blocks_arguments_and_lines() -> None:
    items = hclscan.parse(TRICKY)
    assert [(i.kind, i.name, i.labels, i.line) for i in items] == [
        ("block", "locals", (), 1),
        ("block", "resource", ("aws_x", "y"), 14),
    ]
    locals_ = items[0]
    assert [(a.name, a.line) for a in locals_.body] == [("message", 3), ("literal", 4), ("doc", 5), ("multi", 8)]
    assert locals_.argument("message").value.endswith('["}"])}"'), "the trailing comment is not part of the value"
    assert locals_.argument("doc").value.splitlines()[-1].strip() == "EOT"
    assert locals_.argument("multi").value.startswith("merge(") and locals_.argument("multi").value.endswith(")")
    resource = items[1]
    ttl = next(resource.blocks("ttl"))
    assert (ttl.line, ttl.argument("enabled").value) == (15, "false")
    dynamic = next(resource.blocks("dynamic"))
    assert dynamic.labels == ("tag",) and next(dynamic.blocks("content")).argument("key").line == 20


def test_line_span_removes_whole_lines_or_only_the_item() -> None:
    items = hclscan.parse(TRICKY)
    message = items[0].argument("message")
    start, end = hclscan.line_span(TRICKY, message)
    assert TRICKY[start:end].startswith("  message = ") and TRICKY[start:end].endswith("# trailing comment\n")
    enabled = next(items[1].blocks("ttl")).argument("enabled")
    start, end = hclscan.line_span(TRICKY, enabled)
    assert TRICKY[start:end] == "enabled = false", "a one-line block keeps its braces"


@pytest.mark.parametrize("text", ['x = "open\n', "a {\n  b = 1\n", "a = (1\n", "}\n"])
def test_malformed_files_raise_a_syntax_error(text: str) -> None:
    with pytest.raises(hclscan.HclSyntaxError):
        hclscan.parse(text)


def test_every_committed_file_parses() -> None:
    files = sorted([*MODULES.rglob("*.tf"), *ENVS.rglob("*.tf")])
    assert len(files) > 40
    for path in files:
        assert hclscan.parse(path.read_text()), path
