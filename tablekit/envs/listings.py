"""One view of an endpoint or account: boto3 clients plus memoised listings, for tablekit.envs.holdings.

Listings are memoised per `Remote`, so one reconcile of the whole estate costs one ListTables,
one ListFunctions, ... and not a call per resource. Build a new one per run: nothing here is
refreshed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from tablekit.aws import ClientFactory

Attributes = Mapping[str, Any]


def error_code(exc: BaseException) -> str:
    response = getattr(exc, "response", None) or {}
    return str(response.get("Error", {}).get("Code", ""))


_NOT_FOUND = {
    "ResourceNotFoundException",
    "NotFoundException",
    "NoSuchEntity",
    "NoSuchEntityException",
    "AWS.SimpleQueueService.NonExistentQueue",
    "QueueDoesNotExist",
    "ObjectNotFoundException",
}


def missing(exc: BaseException) -> bool:
    """True for the "does not exist" errors of the services the estate uses."""
    return error_code(exc) in _NOT_FOUND


class Remote:
    """One view of an endpoint: boto3 clients plus memoised listings (build a new one per run)."""

    def __init__(self, clients: ClientFactory):
        self._clients = clients
        self._made: dict[str, Any] = {}
        self._memo: dict[str, Any] = {}

    def client(self, service: str) -> Any:
        if service not in self._made:
            self._made[service] = self._clients(service)
        return self._made[service]

    def _once(self, key: str, load: Callable[[], Any]) -> Any:
        if key not in self._memo:
            self._memo[key] = load()
        return self._memo[key]

    def forget(self) -> None:
        """Drop memoised listings (after deleting something)."""
        self._memo.clear()

    # -- listings (one paginated call each) -----------------------------------------------------

    def _pages(self, service: str, operation: str, key: str, **kwargs: Any) -> list[Any]:
        found: list[Any] = []
        for page in self.client(service).get_paginator(operation).paginate(**kwargs):
            found += page.get(key, [])
        return found

    def tables(self) -> set[str]:
        return set(self._once("tables", lambda: self._pages("dynamodb", "list_tables", "TableNames")))

    def functions(self) -> set[str]:
        found = self._once("functions", lambda: self._pages("lambda", "list_functions", "Functions"))
        return {f["FunctionName"] for f in found}

    def roles(self) -> set[str]:
        return {r["RoleName"] for r in self._once("roles", lambda: self._pages("iam", "list_roles", "Roles"))}

    def log_groups(self) -> set[str]:
        found = self._once("logs", lambda: self._pages("logs", "describe_log_groups", "logGroups"))
        return {g["logGroupName"] for g in found}

    def aliases(self) -> dict[str, str]:
        """Alias name => target key id."""
        found = self._once("aliases", lambda: self._pages("kms", "list_aliases", "Aliases"))
        return {a["AliasName"]: a.get("TargetKeyId", "") for a in found}

    def queues(self) -> dict[str, str]:
        """Queue name => URL."""

        def load() -> list[str]:
            return list(self.client("sqs").list_queues().get("QueueUrls", []))

        return {url.rstrip("/").rsplit("/", 1)[-1]: url for url in self._once("queues", load)}

    def key(self, key_id: str) -> dict[str, Any] | None:
        """KeyMetadata of a KMS key, None when it does not exist."""

        def load() -> dict[str, Any] | None:
            try:
                return dict(self.client("kms").describe_key(KeyId=key_id)["KeyMetadata"])
            except Exception as exc:
                if missing(exc):
                    return None
                raise

        result: dict[str, Any] | None = self._once(f"key:{key_id}", load)
        return result

    def key_ids(self) -> list[str]:
        return [k["KeyId"] for k in self._once("keys", lambda: self._pages("kms", "list_keys", "Keys"))]

    def key_tags(self, key_id: str) -> dict[str, str]:
        def load() -> dict[str, str]:
            tags = self.client("kms").list_resource_tags(KeyId=key_id).get("Tags", [])
            return {t["TagKey"]: t["TagValue"] for t in tags}

        result: dict[str, str] = self._once(f"keytags:{key_id}", load)
        return result

    def role_policies(self, role: str) -> set[str]:
        def load() -> list[str]:
            try:
                return self._pages("iam", "list_role_policies", "PolicyNames", RoleName=role)
            except Exception as exc:
                if missing(exc):
                    return []
                raise

        return set(self._once(f"rolepolicies:{role}", load))

    def attached_policies(self, role: str) -> set[str]:
        def load() -> list[dict[str, str]]:
            try:
                return self._pages("iam", "list_attached_role_policies", "AttachedPolicies", RoleName=role)
            except Exception as exc:
                if missing(exc):
                    return []
                raise

        return {p["PolicyArn"] for p in self._once(f"attached:{role}", load)}

    def alarms(self, names: Iterable[str]) -> set[str]:
        wanted = sorted(set(names))
        found: set[str] = set()
        cloudwatch = self.client("cloudwatch")
        for start in range(0, len(wanted), 100):
            chunk = wanted[start : start + 100]
            response = cloudwatch.describe_alarms(AlarmNames=chunk)
            found |= {a["AlarmName"] for a in response.get("MetricAlarms", [])}
            found |= {a["AlarmName"] for a in response.get("CompositeAlarms", [])}
        return found

    def event_source_mappings(self, function: str) -> list[dict[str, Any]]:
        def load() -> list[dict[str, Any]]:
            try:
                return self._pages("lambda", "list_event_source_mappings", "EventSourceMappings", FunctionName=function)
            except Exception as exc:
                if missing(exc):
                    return []
                raise

        result: list[dict[str, Any]] = self._once(f"esm:{function}", load)
        return result


@dataclass(frozen=True)
class Kind:
    """How to ask an endpoint about one Terraform resource type (see the module docstring)."""

    type: str
    present: Callable[[Remote, Attributes], bool | None]
    collisions: Callable[[Remote, Attributes, set[str]], list[str]]
    delete: Callable[[Remote, str], None]
    # What a planned create's `after` must carry for `collisions` to answer (else: unknown).
    needs: tuple[str, ...] = ()
    # The import ID of a state entry (what `collisions` returns for that object); default: its id.
    identify: Callable[[Attributes], str | None] | None = None

    def tracked_id(self, attributes: Attributes) -> str:
        """The import ID of a state entry, so a tracked object is never taken for an untracked one."""
        found = self.identify(attributes) if self.identify else None
        return str(found or attributes.get("id") or "")
