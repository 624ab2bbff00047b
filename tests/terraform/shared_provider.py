"""The test suite's shared hashicorp/aws: Terraform attaches to it instead of launching its own.

Why: most of the suite's CPU is Terraform 1.0.3 starting hashicorp/aws 3.39 and decoding its whole
schema (about 700 resource types), not planning. A plan of a one-resource root starts the provider
three times and asks for that schema eight times: 1.0 CPU-second, where the planning itself is a
few hundredths. So each pytest worker runs one of these servers and points Terraform at it with
TF_REATTACH_PROVIDERS (Terraform's own switch for a provider it does not manage):

- Every call reaches a real hashicorp/aws 3.39.0 process, the mirror's own binary, unchanged,
  except `GetSchema`, which is answered once per worker and holds only the resource and data
  source types the repository declares (`declared_types`). A root using any other type fails
  loudly: "The provider hashicorp/aws does not support resource type".
- A provider process serves one provider configuration (each alias and region apart) and one set
  of the variables the provider reads (AWS_*, proxies, HOME), as a provider Terraform launches
  would: the server finds the Terraform process behind each connection and starts the provider
  process with that process's environment. So the simulated accounts' keys and the envs' regions
  mean what they mean in production. Provider processes run in an empty directory of their own, so
  a relative path meant for a root fails loudly instead of reading another root's file.
- `init` and `providers` never attach (tablekit.terraform.runner.PROVIDER_COMMANDS): lock files
  hold the mirror's hashes and `providers schema -json` shows the whole schema.

What it does not do, so tests of it opt out with ``@pytest.mark.launched_provider`` (and the tests
that docs/troubleshooting.md names never attach): Terraform starts no provider process of its own
(process groups, kills, "no process left behind"), and a provider call Terraform abandons goes on
in the shared process. `pytest --launched-provider` runs every test the way the product runs
Terraform.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import shutil
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterable, Iterator, Mapping
from concurrent import futures
from dataclasses import dataclass, field
from pathlib import Path

import grpc

from tablekit.terraform.toolchain import DEFAULT, REATTACH_VAR

__all__ = ["REATTACH_VAR", "SharedProvider", "declared_types", "mirror_binary", "trim_schema"]
SOURCE = "registry.terraform.io/hashicorp/aws"
GET_SCHEMA = "/tfplugin5.Provider/GetSchema"
CONFIGURE = "/tfplugin5.Provider/Configure"
STOP = "/tfplugin5.Provider/Stop"
# Provider processes kept for reuse; the least recently used beyond this is ended.
KEEP = 8
# What hashicorp/aws reads from its environment: a provider process is shared only when these agree.
_PROVIDER_ENV = re.compile(r"^(AWS_.*|HOME|(HTTPS?|NO|ALL)_PROXY)$", re.IGNORECASE)
_DECLARATION = re.compile(r'\b(?:resource|data)\s+\\?"(aws_[a-z0-9_]+)\\?"')
_NOT_SOURCE = {".venv", "build", ".git", "node_modules", ".terraform", "__pycache__"}
_MESSAGE_LIMIT = [("grpc.max_receive_message_length", -1), ("grpc.max_send_message_length", -1)]


def mirror_binary() -> Path:
    """The hashicorp/aws binary of the double's unpacked mirror: what every provider process runs."""
    return next(DEFAULT.provider_dir.glob("terraform-provider-aws_*"))


def declared_types(root: Path) -> frozenset[str]:
    """Every `resource "aws_…"` and `data "aws_…"` type named in the repository's .tf and .py files.

    The .py files hold the roots tests write on the fly. A type named nowhere is left out of the
    schema Terraform sees, which makes a root using it fail, loudly, on the first plan.
    """
    found: set[str] = set()
    for folder, subfolders, files in os.walk(root):
        subfolders[:] = [name for name in subfolders if name not in _NOT_SOURCE]
        for name in files:
            if name.endswith((".tf", ".py")):
                found.update(_DECLARATION.findall((Path(folder) / name).read_text(errors="replace")))
    return frozenset(found)


# --- the schema, at the protobuf wire level (tfplugin5 GetProviderSchema.Response) ----------------


def _varint(buf: bytes, at: int) -> tuple[int, int]:
    value = shift = 0
    while True:
        byte = buf[at]
        at += 1
        value |= (byte & 0x7F) << shift
        shift += 7
        if not byte & 0x80:
            return value, at


def _fields(buf: bytes) -> Iterator[tuple[int, bytes, bytes]]:
    """(field number, payload, the field's raw bytes) of each field; only varint and length-delimited."""
    at = 0
    while at < len(buf):
        start = at
        key, at = _varint(buf, at)
        number, wire = key >> 3, key & 7
        if wire == 0:
            _, at = _varint(buf, at)
            payload = b""
        elif wire == 2:
            size, at = _varint(buf, at)
            payload = buf[at : at + size]
            at += size
        else:
            raise ValueError(f"unexpected protobuf wire type {wire} in field {number}")
        yield number, payload, buf[start:at]


def trim_schema(response: bytes, keep: Iterable[str]) -> bytes:
    """The schema response with only the resource (field 2) and data source (field 3) types in `keep`.

    Both are protobuf maps, repeated entries whose field 1 is the type name; every other field (the
    provider block, diagnostics, provider_meta) is copied byte for byte.
    """
    wanted = set(keep)
    out = bytearray()
    for number, payload, raw in _fields(response):
        if number in (2, 3):
            name = next((value for n, value, _ in _fields(payload) if n == 1), b"").decode()
            if name not in wanted:
                continue
        out += raw
    return bytes(out)


# --- the Terraform process behind a connection --------------------------------------------------


def _socket_inode(client_port: int, server_port: int) -> str:
    """The inode of the open TCP socket 127.0.0.1:`client_port` -> :`server_port` (Terraform's end).

    Closed connections linger in the table (TIME_WAIT) with inode 0 and may share the port.
    """
    local, remote = f"0100007F:{client_port:04X}", f"0100007F:{server_port:04X}"
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        cols = line.split()
        if cols[1] == local and cols[2] == remote and cols[9] != "0":
            return cols[9]
    raise LookupError(f"no open connection from 127.0.0.1:{client_port}")


def _process_of(inode: str) -> int:
    target = f"socket:[{inode}]"
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        with contextlib.suppress(OSError):
            for fd in (proc / "fd").iterdir():
                with contextlib.suppress(OSError):
                    if os.readlink(fd) == target:
                        return int(proc.name)
    raise LookupError(f"no process holds socket inode {inode}")


@dataclass(frozen=True)
class Caller:
    """The Terraform process of one connection: the environment its provider would inherit."""

    env: Mapping[str, str]

    @classmethod
    def of_peer(cls, peer: str, server_port: int) -> Caller:
        port = int(peer.rsplit(":", 1)[1])
        pid = _process_of(_socket_inode(port, server_port))
        raw = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
        env = dict(item.decode(errors="replace").split("=", 1) for item in raw if b"=" in item)
        env.pop(REATTACH_VAR, None)
        return cls(env)

    def key(self, configure: bytes) -> str:
        relevant = sorted((k, v) for k, v in self.env.items() if _PROVIDER_ENV.match(k))
        text = json.dumps(relevant)
        return hashlib.sha256(text.encode() + b"\0" + configure).hexdigest()


# --- provider processes ---------------------------------------------------------------------------


def _identity(data: bytes) -> bytes:
    return data


@dataclass
class Backend:
    """One hashicorp/aws process in debug mode and the channel to it."""

    process: subprocess.Popen[str]
    channel: grpc.Channel
    configured: bytes | None = None
    used: float = field(default_factory=time.monotonic)

    @classmethod
    def start(cls, binary: Path, cwd: str, env: Mapping[str, str]) -> Backend:
        process = subprocess.Popen(
            [str(binary), "-debug"],
            cwd=cwd,
            # Its plugin socket goes to TMPDIR: the server's own directory, removed with it (a killed
            # provider cannot remove the socket itself).
            env={**env, "TMPDIR": cwd},
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        assert process.stdout is not None
        for line in process.stdout:
            found = re.search(r"TF_REATTACH_PROVIDERS='([^']*)'", line)
            if found:
                address = json.loads(found.group(1))[SOURCE]["Addr"]
                break
        else:
            raise RuntimeError(f"{binary} -debug exited with {process.wait()} before printing its address")
        threading.Thread(target=process.stdout.read, daemon=True).start()  # keep its pipe drained
        channel = grpc.insecure_channel(f"{address['Network']}:{address['String']}", options=_MESSAGE_LIMIT)
        return cls(process, channel)

    def call(self, method: str, request: bytes) -> bytes:
        self.used = time.monotonic()
        result: bytes = self.channel.unary_unary(method, _identity, _identity)(request)
        return result

    def stop(self) -> None:
        self.channel.close()
        self.process.kill()
        self.process.wait()


class SharedProvider(grpc.GenericRpcHandler):
    """The server Terraform attaches to; see the module docstring."""

    def __init__(self, binary: Path, types: frozenset[str]) -> None:
        self.binary = binary
        self.types = types
        # Where provider processes run: empty, so a relative path meant for a root fails loudly.
        self.home = tempfile.mkdtemp(prefix="shared-provider-")
        self._lock = threading.Lock()
        self._schema: bytes | None = None
        self._validator: Backend | None = None  # serves what needs no configuration
        self._backends: dict[str, Backend] = {}
        self._peers: dict[str, Backend] = {}
        self._server = grpc.server(futures.ThreadPoolExecutor(max_workers=32), options=_MESSAGE_LIMIT)
        self._server.add_generic_rpc_handlers((self,))
        self.port = self._server.add_insecure_port("127.0.0.1:0")
        self.reattach = ""  # TF_REATTACH_PROVIDERS once started

    def start(self) -> str:
        """Start serving; returns the TF_REATTACH_PROVIDERS value that points Terraform here."""
        self._validator = Backend.start(self.binary, self.home, os.environ)
        self._server.start()
        address = {"Network": "tcp", "String": f"127.0.0.1:{self.port}"}
        self.reattach = json.dumps(
            {SOURCE: {"Protocol": "grpc", "ProtocolVersion": 5, "Pid": os.getpid(), "Test": True, "Addr": address}}
        )
        return self.reattach

    def stop(self) -> None:
        self._server.stop(grace=None)
        for backend in [*self._backends.values(), *([self._validator] if self._validator else [])]:
            backend.stop()
        self._backends.clear()
        self._peers.clear()
        shutil.rmtree(self.home, ignore_errors=True)

    @property
    def processes(self) -> int:
        """Provider processes running now (the validator included)."""
        return len(self._backends) + (1 if self._validator else 0)

    # -- grpc ----------------------------------------------------------------------------------------

    def service(self, handler_call_details: grpc.HandlerCallDetails) -> grpc.RpcMethodHandler | None:
        method = handler_call_details.method  # type: ignore[attr-defined]
        if not method.startswith("/tfplugin5.Provider/"):
            return None  # go-plugin's broker and stdio streams: Terraform does without them
        return grpc.unary_unary_rpc_method_handler(
            lambda request, context: self._answer(method, request, context), _identity, _identity
        )

    def _answer(self, method: str, request: bytes, context: grpc.ServicerContext) -> bytes:
        try:
            if method == GET_SCHEMA:
                return self._get_schema(request)
            if method == CONFIGURE:
                return self._configure(context.peer(), request)
            backend = self._peers.get(context.peer())
            if backend is None and method == STOP:
                return b""  # nothing was configured, so nothing runs that could be stopped
            return (backend or self._unconfigured()).call(method, request)
        except grpc.RpcError as error:
            context.abort(error.code(), error.details() or "")
        except (LookupError, OSError, RuntimeError) as error:
            context.abort(grpc.StatusCode.INTERNAL, f"the tests' shared provider: {error}")
        raise AssertionError("unreachable")

    def _unconfigured(self) -> Backend:
        assert self._validator is not None, "start() first"
        return self._validator

    def _get_schema(self, request: bytes) -> bytes:
        with self._lock:
            if self._schema is None:
                self._schema = trim_schema(self._unconfigured().call(GET_SCHEMA, request), self.types)
            return self._schema

    def _configure(self, peer: str, request: bytes) -> bytes:
        caller = Caller.of_peer(peer, self.port)
        key = caller.key(request)
        with self._lock:
            backend = self._backends.pop(key, None)
            if backend is None:
                backend = Backend.start(self.binary, self.home, caller.env)
            self._backends[key] = backend  # most recently used last
            while len(self._backends) > KEEP:
                oldest = next(iter(self._backends))
                stale = self._backends.pop(oldest)
                self._peers = {p: b for p, b in self._peers.items() if b is not stale}
                stale.stop()
            self._peers[peer] = backend
        if backend.configured is None:
            backend.configured = backend.call(CONFIGURE, request)
        return backend.configured
