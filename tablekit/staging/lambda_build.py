"""Build the Lambda deployment zips from lambda_function/ into build/lambda/, byte-for-byte reproducibly.

Why Python and not the `archive` provider: the offline toolchain mirrors only hashicorp/aws, so
`data "archive_file"` cannot be installed. Terraform takes the zip path (`lambda_zip_path`) and
hashes it with `filebase64sha256`; that hash only stays stable across machines and rebuilds if the
zip is deterministic, otherwise every plan would show a spurious function update. So: entries
sorted, fixed timestamp (1980-01-01, the zip epoch), fixed permissions, no __pycache__, fixed
compression level, and the file is rewritten only when its bytes change.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import io
import sys
import zipfile
from pathlib import Path

from tablekit.paths import BUILD, LAMBDA_SRC

# name => package directory under lambda_function/ (the zip holds the package at its root, so the
# Lambda handler is "<package>.handler.lambda_handler").
FUNCTIONS = {"university-stream": "university_stream"}
HANDLERS = {"university-stream": "university_stream.handler.lambda_handler"}
OUT_DIR = BUILD / "lambda"

_FIXED_TIME = (1980, 1, 1, 0, 0, 0)
_SKIP_DIRS = {"__pycache__", ".pytest_cache", ".ruff_cache"}
_SKIP_SUFFIXES = {".pyc", ".pyo"}


def _sources(package_dir: Path) -> list[Path]:
    files = [
        p
        for p in package_dir.rglob("*")
        if p.is_file() and not (set(p.relative_to(package_dir).parts) & _SKIP_DIRS) and p.suffix not in _SKIP_SUFFIXES
    ]
    return sorted(files, key=lambda p: p.relative_to(package_dir.parent).as_posix())


def zip_bytes(package_dir: Path) -> bytes:
    """The deterministic zip of one package directory (paths relative to its parent)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as archive:
        for path in _sources(package_dir):
            info = zipfile.ZipInfo(path.relative_to(package_dir.parent).as_posix(), date_time=_FIXED_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = (0o100644 & 0xFFFF) << 16  # regular file, rw-r--r--
            info.create_system = 3  # unix, so the permissions above are honoured on every OS
            archive.writestr(info, path.read_bytes(), compresslevel=9)
    return buf.getvalue()


def source_code_hash(data: bytes) -> str:
    """Terraform's filebase64sha256 of the zip (what `source_code_hash` will hold)."""
    return base64.b64encode(hashlib.sha256(data).digest()).decode()


def build(name: str, src_root: Path = LAMBDA_SRC, out_dir: Path = OUT_DIR) -> Path:
    """Build one function's zip; untouched (same mtime) when the bytes did not change."""
    try:
        package = FUNCTIONS[name]
    except KeyError:
        raise KeyError(f"unknown Lambda function {name!r}: known are {', '.join(sorted(FUNCTIONS))}") from None
    data = zip_bytes(src_root / package)
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / f"{name}.zip"
    if not target.exists() or target.read_bytes() != data:
        tmp = target.with_suffix(".zip.tmp")
        tmp.write_bytes(data)
        tmp.replace(target)
    return target


def build_all(src_root: Path = LAMBDA_SRC, out_dir: Path = OUT_DIR) -> dict[str, Path]:
    """Build every function's zip; name => path (e.g. "university-stream" => build/lambda/university-stream.zip)."""
    return {name: build(name, src_root, out_dir) for name in sorted(FUNCTIONS)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tablekit.staging.lambda_build", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--out-dir", type=Path, default=OUT_DIR, help="where the zips go (default build/lambda)")
    args = parser.parse_args(argv)
    for name, path in build_all(out_dir=args.out_dir).items():
        print(f"{name:<20} {path}  sha256(b64)={source_code_hash(path.read_bytes())}  handler={HANDLERS[name]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
