"""What an endpoint (the local one, or an AWS account) really holds, asked per Terraform resource type.

Why one registry of resource kinds: reconciling a state with an endpoint needs three questions
answered for every type an env manages, and they must agree with each other:

- ``present(remote, attributes)``: does the object a state entry tracks still exist? (The local
  endpoint keeps everything in memory, so after a restart nothing does.)
- ``collisions(remote, after, tracked_ids)``: which existing objects would a planned *create*
  collide with? (An interrupted apply leaves objects the state never recorded; their create then
  fails with "already exists".) The answer is the object's Terraform import ID, which is also the
  handle ``delete`` takes.
- ``delete(remote, object_id)``: remove such an object (local only; dev and prod get commands).

Listings are memoised per `Remote`, so one reconcile of the whole estate costs one ListTables,
one ListFunctions, ... and not a call per resource. A question a kind cannot answer (an unknown
type, AccessDenied on a real account) is "unknown", never "missing": nothing is deleted or
forgotten on a guess.

Import IDs follow the formats of the AWS provider's importers (identical in 3.39 and 6.x for these
types).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable

from tablekit.envs.listings import Attributes, Kind, Remote, error_code, missing

# KMS key states in which a key still exists for Terraform (PendingDeletion reads as gone).
_LIVE_KEY_STATES = {"Enabled", "Disabled", "PendingImport", "Creating", "Updating"}


# ------------------------------------------------------------------------------------------------
# One kind per resource type
# ------------------------------------------------------------------------------------------------


def _name_in(
    listing: Callable[[Remote], Iterable[str]], attribute: str = "name"
) -> Callable[[Remote, Attributes], bool]:
    return lambda remote, attrs: str(attrs.get(attribute) or attrs.get("id") or "") in set(listing(remote))


def _collide_by_name(
    listing: Callable[[Remote], Iterable[str]], attribute: str = "name"
) -> Callable[[Remote, Attributes, set[str]], list[str]]:
    def collisions(remote: Remote, after: Attributes, tracked: set[str]) -> list[str]:
        name = after.get(attribute)
        if not isinstance(name, str) or not name or name in tracked:
            return []
        return [name] if name in set(listing(remote)) else []

    return collisions


# -- DynamoDB --------------------------------------------------------------------------------------


def _delete_table(remote: Remote, name: str) -> None:
    db = remote.client("dynamodb")
    try:
        if db.describe_table(TableName=name)["Table"].get("DeletionProtectionEnabled"):
            db.update_table(TableName=name, DeletionProtectionEnabled=False)
        db.delete_table(TableName=name)
    except Exception as exc:
        if not missing(exc):
            raise


# -- KMS -------------------------------------------------------------------------------------------


def _key_present(remote: Remote, attrs: Attributes) -> bool:
    metadata = remote.key(str(attrs.get("key_id") or attrs.get("id") or ""))
    return metadata is not None and metadata.get("KeyState") in _LIVE_KEY_STATES


def _key_collisions(remote: Remote, after: Attributes, tracked: set[str]) -> list[str]:
    """Live customer keys with the planned description and tags that no state tracks.

    A key has no name, so this is the one match by content: the description and tags Terraform
    would give the new key, and not the target of an alias someone else's state tracks (an alias
    is created after its key, so an interrupted run leaves either a bare key or key and alias).
    """
    description = after.get("description")
    if not isinstance(description, str):
        return []
    wanted_tags = dict(after.get("tags") or {})
    aliased = set(remote.aliases().values())
    found = []
    for key_id in remote.key_ids():
        if key_id in tracked:
            continue
        metadata = remote.key(key_id) or {}
        if metadata.get("KeyManager") == "AWS" or metadata.get("KeyState") != "Enabled":
            continue
        if metadata.get("Description", "") != description:
            continue
        tags = remote.key_tags(key_id)
        if any(tags.get(k) != v for k, v in wanted_tags.items()):
            continue
        if key_id in aliased and not _alias_collisions_point_at(remote, key_id, tracked):
            continue
        found.append(key_id)
    return found


def _alias_collisions_point_at(remote: Remote, key_id: str, tracked: set[str]) -> bool:
    """True when every alias of the key is itself untracked (left by the same interrupted run)."""
    names = [name for name, target in remote.aliases().items() if target == key_id]
    return all(name not in tracked for name in names)


def _delete_key(remote: Remote, key_id: str) -> None:
    try:
        remote.client("kms").schedule_key_deletion(KeyId=key_id, PendingWindowInDays=7)
    except Exception as exc:
        if not missing(exc) and error_code(exc) != "KMSInvalidStateException":
            raise


def _delete_alias(remote: Remote, name: str) -> None:
    try:
        remote.client("kms").delete_alias(AliasName=name)
    except Exception as exc:
        if not missing(exc):
            raise


# -- IAM -------------------------------------------------------------------------------------------


def _delete_role(remote: Remote, name: str) -> None:
    iam = remote.client("iam")
    try:
        for policy in remote.role_policies(name):
            iam.delete_role_policy(RoleName=name, PolicyName=policy)
        for arn in remote.attached_policies(name):
            iam.detach_role_policy(RoleName=name, PolicyArn=arn)
        for profile in iam.list_instance_profiles_for_role(RoleName=name).get("InstanceProfiles", []):
            iam.remove_role_from_instance_profile(InstanceProfileName=profile["InstanceProfileName"], RoleName=name)
        iam.delete_role(RoleName=name)
    except Exception as exc:
        if not missing(exc):
            raise


def _role_policy_present(remote: Remote, attrs: Attributes) -> bool:
    role, _, name = str(attrs.get("id") or "").partition(":")
    return bool(role and name) and name in remote.role_policies(role)


def _role_policy_collisions(remote: Remote, after: Attributes, tracked: set[str]) -> list[str]:
    role, name = after.get("role"), after.get("name")
    if not isinstance(role, str) or not isinstance(name, str):
        return []
    object_id = f"{role}:{name}"
    return [object_id] if object_id not in tracked and name in remote.role_policies(role) else []


def _delete_role_policy(remote: Remote, object_id: str) -> None:
    role, _, name = object_id.partition(":")
    try:
        remote.client("iam").delete_role_policy(RoleName=role, PolicyName=name)
    except Exception as exc:
        if not missing(exc):
            raise


def _attachment_present(remote: Remote, attrs: Attributes) -> bool:
    role, arn = str(attrs.get("role") or ""), str(attrs.get("policy_arn") or "")
    return bool(role and arn) and arn in remote.attached_policies(role)


def _attachment_collisions(remote: Remote, after: Attributes, tracked: set[str]) -> list[str]:
    role, arn = after.get("role"), after.get("policy_arn")
    if not isinstance(role, str) or not isinstance(arn, str):
        return []
    object_id = f"{role}/{arn}"
    return [object_id] if object_id not in tracked and arn in remote.attached_policies(role) else []


def _delete_attachment(remote: Remote, object_id: str) -> None:
    role, _, arn = object_id.partition("/")
    try:
        remote.client("iam").detach_role_policy(RoleName=role, PolicyArn=arn)
    except Exception as exc:
        if not missing(exc):
            raise


# -- Lambda, SQS, logs, CloudWatch -------------------------------------------------------------------


def _delete_function(remote: Remote, name: str) -> None:
    try:
        remote.client("lambda").delete_function(FunctionName=name)
    except Exception as exc:
        if not missing(exc):
            raise


def _esm_present(remote: Remote, attrs: Attributes) -> bool:
    try:
        remote.client("lambda").get_event_source_mapping(UUID=str(attrs.get("uuid") or attrs.get("id")))
    except Exception as exc:
        if missing(exc):
            return False
        raise
    return True


def _esm_collisions(remote: Remote, after: Attributes, tracked: set[str]) -> list[str]:
    function, source = after.get("function_name"), after.get("event_source_arn")
    if not isinstance(function, str) or not isinstance(source, str):
        return []
    name = function.rsplit(":", 1)[-1] if function.startswith("arn:") else function
    return [
        m["UUID"]
        for m in remote.event_source_mappings(name)
        if m.get("EventSourceArn") == source and m["UUID"] not in tracked
    ]


def _delete_esm(remote: Remote, uuid: str) -> None:
    try:
        remote.client("lambda").delete_event_source_mapping(UUID=uuid)
    except Exception as exc:
        if not missing(exc):
            raise


def _queue_present(remote: Remote, attrs: Attributes) -> bool:
    return str(attrs.get("name") or "") in remote.queues()


def _queue_collisions(remote: Remote, after: Attributes, tracked: set[str]) -> list[str]:
    name = after.get("name")
    if not isinstance(name, str):
        return []
    url = remote.queues().get(name)
    return [url] if url and url not in tracked else []


def _delete_queue(remote: Remote, url: str) -> None:
    try:
        remote.client("sqs").delete_queue(QueueUrl=url)
    except Exception as exc:
        if not missing(exc):
            raise


def _delete_log_group(remote: Remote, name: str) -> None:
    try:
        remote.client("logs").delete_log_group(logGroupName=name)
    except Exception as exc:
        if not missing(exc):
            raise


def _alarm_present(remote: Remote, attrs: Attributes) -> bool:
    name = str(attrs.get("alarm_name") or attrs.get("id") or "")
    return name in remote.alarms([name])


def _alarm_collisions(remote: Remote, after: Attributes, tracked: set[str]) -> list[str]:
    name = after.get("alarm_name")
    if not isinstance(name, str) or name in tracked:
        return []
    return [name] if name in remote.alarms([name]) else []


def _delete_alarm(remote: Remote, name: str) -> None:
    remote.client("cloudwatch").delete_alarms(AlarmNames=[name])


# -- Application Auto Scaling ----------------------------------------------------------------------


def _target_id(values: Attributes) -> str | None:
    parts = [values.get("service_namespace"), values.get("resource_id"), values.get("scalable_dimension")]
    return "/".join(str(p) for p in parts) if all(isinstance(p, str) and p for p in parts) else None


def _target_present(remote: Remote, attrs: Attributes) -> bool:
    found = remote.client("application-autoscaling").describe_scalable_targets(
        ServiceNamespace=attrs["service_namespace"],
        ResourceIds=[attrs["resource_id"]],
        ScalableDimension=attrs["scalable_dimension"],
    )["ScalableTargets"]
    return bool(found)


def _target_collisions(remote: Remote, after: Attributes, tracked: set[str]) -> list[str]:
    object_id = _target_id(after)
    if object_id is None or object_id in tracked:
        return []
    return [object_id] if _target_present(remote, after) else []


def _split_target(object_id: str) -> tuple[str, str, str]:
    namespace, rest = object_id.split("/", 1)
    resource, dimension = rest.rsplit("/", 1)
    return namespace, resource, dimension


def _delete_target(remote: Remote, object_id: str) -> None:
    namespace, resource, dimension = _split_target(object_id)
    try:
        remote.client("application-autoscaling").deregister_scalable_target(
            ServiceNamespace=namespace, ResourceId=resource, ScalableDimension=dimension
        )
    except Exception as exc:
        if not missing(exc):
            raise


def _policy_present(remote: Remote, attrs: Attributes) -> bool:
    found = remote.client("application-autoscaling").describe_scaling_policies(
        ServiceNamespace=attrs["service_namespace"],
        ResourceId=attrs["resource_id"],
        ScalableDimension=attrs["scalable_dimension"],
        PolicyNames=[attrs["name"]],
    )["ScalingPolicies"]
    return bool(found)


def _policy_collisions(remote: Remote, after: Attributes, tracked: set[str]) -> list[str]:
    base = _target_id(after)
    name = after.get("name")
    if base is None or not isinstance(name, str):
        return []
    object_id = f"{base}/{name}"
    return [object_id] if object_id not in tracked and _policy_present(remote, after) else []


def _delete_policy(remote: Remote, object_id: str) -> None:
    base, name = object_id.rsplit("/", 1)
    namespace, resource, dimension = _split_target(base)
    try:
        remote.client("application-autoscaling").delete_scaling_policy(
            PolicyName=name, ServiceNamespace=namespace, ResourceId=resource, ScalableDimension=dimension
        )
    except Exception as exc:
        if not missing(exc):
            raise


# -- AWS Backup --------------------------------------------------------------------------------------


def _vault_present(remote: Remote, attrs: Attributes) -> bool:
    try:
        remote.client("backup").describe_backup_vault(BackupVaultName=str(attrs.get("name") or attrs.get("id")))
    except Exception as exc:
        if missing(exc):
            return False
        raise
    return True


def _vault_collisions(remote: Remote, after: Attributes, tracked: set[str]) -> list[str]:
    name = after.get("name")
    if not isinstance(name, str) or name in tracked:
        return []
    return [name] if _vault_present(remote, {"name": name}) else []


def _delete_vault(remote: Remote, name: str) -> None:
    try:
        remote.client("backup").delete_backup_vault(BackupVaultName=name)
    except Exception as exc:
        if not missing(exc):
            raise


def _backup_plans(remote: Remote) -> dict[str, str]:
    """Backup plan name => id."""
    found = remote._once("backupplans", lambda: remote._pages("backup", "list_backup_plans", "BackupPlansList"))
    return {p["BackupPlanName"]: p["BackupPlanId"] for p in found}


def _plan_present(remote: Remote, attrs: Attributes) -> bool:
    return str(attrs.get("id") or "") in set(_backup_plans(remote).values())


def _plan_collisions(remote: Remote, after: Attributes, tracked: set[str]) -> list[str]:
    name = after.get("name")
    plan_id = _backup_plans(remote).get(name) if isinstance(name, str) else None
    return [plan_id] if plan_id and plan_id not in tracked else []


def _delete_plan(remote: Remote, plan_id: str) -> None:
    try:
        remote.client("backup").delete_backup_plan(BackupPlanId=plan_id)
    except Exception as exc:
        if not missing(exc):
            raise


def _no_collisions(remote: Remote, after: Attributes, tracked: set[str]) -> list[str]:
    return []


def _unknown(remote: Remote, attrs: Attributes) -> bool | None:
    return None


def _cannot_delete(remote: Remote, object_id: str) -> None:
    raise NotImplementedError(object_id)


KINDS: dict[str, Kind] = {
    kind.type: kind
    for kind in (
        Kind(
            "aws_dynamodb_table",
            _name_in(Remote.tables),
            _collide_by_name(Remote.tables),
            _delete_table,
            needs=("name",),
        ),
        Kind("aws_kms_key", _key_present, _key_collisions, _delete_key, needs=("description",)),
        Kind(
            "aws_kms_alias",
            _name_in(lambda r: r.aliases()),
            _collide_by_name(lambda r: r.aliases()),
            _delete_alias,
            needs=("name",),
        ),
        Kind("aws_iam_role", _name_in(Remote.roles), _collide_by_name(Remote.roles), _delete_role, needs=("name",)),
        Kind(
            "aws_iam_role_policy",
            _role_policy_present,
            _role_policy_collisions,
            _delete_role_policy,
            needs=("role", "name"),
        ),
        Kind(
            "aws_iam_role_policy_attachment",
            _attachment_present,
            _attachment_collisions,
            _delete_attachment,
            needs=("role", "policy_arn"),
            identify=lambda a: f"{a.get('role')}/{a.get('policy_arn')}",
        ),
        Kind(
            "aws_lambda_function",
            _name_in(Remote.functions, "function_name"),
            _collide_by_name(Remote.functions, "function_name"),
            _delete_function,
            needs=("function_name",),
        ),
        Kind(
            "aws_lambda_event_source_mapping",
            _esm_present,
            _esm_collisions,
            _delete_esm,
            needs=("function_name", "event_source_arn"),
        ),
        Kind(
            "aws_sqs_queue",
            _queue_present,
            _queue_collisions,
            _delete_queue,
            needs=("name",),
            identify=lambda a: a.get("url") or a.get("id"),
        ),
        Kind(
            "aws_cloudwatch_log_group",
            _name_in(Remote.log_groups),
            _collide_by_name(Remote.log_groups),
            _delete_log_group,
            needs=("name",),
        ),
        Kind(
            "aws_cloudwatch_metric_alarm",
            _alarm_present,
            _alarm_collisions,
            _delete_alarm,
            needs=("alarm_name",),
        ),
        Kind(
            "aws_appautoscaling_target",
            _target_present,
            _target_collisions,
            _delete_target,
            needs=("service_namespace", "resource_id", "scalable_dimension"),
            identify=_target_id,
        ),
        Kind(
            "aws_appautoscaling_policy",
            _policy_present,
            _policy_collisions,
            _delete_policy,
            needs=("service_namespace", "resource_id", "scalable_dimension", "name"),
            identify=lambda a: f"{_target_id(a)}/{a.get('name')}" if _target_id(a) else None,
        ),
        Kind("aws_backup_vault", _vault_present, _vault_collisions, _delete_vault, needs=("name",)),
        Kind("aws_backup_plan", _plan_present, _plan_collisions, _delete_plan, needs=("name",)),
        # Selections have no name to find them by; a selection left by an interrupted run goes with
        # its plan (deleting a plan needs its selections gone first: a real-account review item).
        Kind("aws_backup_selection", _unknown, _no_collisions, _cannot_delete),
    )
}


def kind(resource_type: str) -> Kind | None:
    """The Kind of a resource type, None for types tablekit cannot ask about (left to Terraform)."""
    return KINDS.get(resource_type)


def answered(exc: BaseException) -> bool:
    """True for an error the endpoint answered (AccessDenied, a validation error): the question
    stays unanswered. Anything else (the endpoint is gone) propagates to the caller."""
    return bool(error_code(exc)) or isinstance(exc, (KeyError, TypeError, ValueError))


def _other_region(remote: Remote, attributes: Attributes) -> bool:
    """True for an object whose ARN names another region than the clients' (a replica region's
    KMS key, created through an aliased provider): these clients cannot see it, so it is unknown."""
    region = getattr(remote._clients, "region", None)
    arn = str(attributes.get("arn") or "")
    parts = arn.split(":")
    return bool(region) and len(parts) > 3 and parts[0] == "arn" and parts[3] not in ("", region)


def present(remote: Remote, resource_type: str, attributes: Attributes) -> bool | None:
    """Whether a tracked object exists: True, False, or None when it cannot be told."""
    found = kind(resource_type)
    if found is None or _other_region(remote, attributes):
        return None
    try:
        return found.present(remote, attributes)
    except Exception as exc:
        if answered(exc):
            return None
        raise


def collisions(remote: Remote, resource_type: str, after: Attributes, tracked: set[str]) -> list[str]:
    """Existing objects a planned create would collide with ([] when none or it cannot be told)."""
    found = kind(resource_type)
    if found is None or any(after.get(key) is None for key in found.needs):
        return []
    try:
        return found.collisions(remote, after, tracked)
    except Exception as exc:
        if answered(exc):
            return []
        raise


def describe(value: object) -> str:
    """A short printable form of an object ID (IDs are plain strings; JSON for anything else)."""
    return value if isinstance(value, str) else json.dumps(value, sort_keys=True)
