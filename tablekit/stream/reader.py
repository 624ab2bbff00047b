"""Reading a table's stream with the DynamoDB Streams API, the way the event-source mapping does.

describe_stream (paged by LastEvaluatedShardId) lists the shards; a child shard is read only after
its parent is closed and fully read, which preserves per-item order across shard splits. Records
are converted to the Lambda event shape: ApproximateCreationDateTime as epoch seconds and
`eventSourceARN` added, everything else (Keys/NewImage/OldImage in DynamoDB JSON, userIdentity
of TTL deletes) passed through.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Iterator

from tablekit.errors import UserError


def stream_arn(db: Any, table_name: str) -> str:
    """The table's current stream ARN; a clear error when the table has no stream."""
    try:
        table = db.describe_table(TableName=table_name)["Table"]
    except db.exceptions.ResourceNotFoundException:
        raise UserError(
            f"table {table_name!r} does not exist on this endpoint: apply the env first (`just apply` / `just setup`)"
        ) from None
    arn = table.get("LatestStreamArn")
    if not arn or not table.get("StreamSpecification", {}).get("StreamEnabled", False):
        raise UserError(
            f"table {table_name!r} has no stream: set stream_view_type (modules/university sets NEW_AND_OLD_IMAGES)"
        )
    return str(arn)


def list_shards(streams: Any, arn: str) -> list[dict[str, Any]]:
    """Every shard of the stream (all describe_stream pages)."""
    shards: list[dict[str, Any]] = []
    args: dict[str, Any] = {"StreamArn": arn}
    while True:
        description = streams.describe_stream(**args)["StreamDescription"]
        shards += description.get("Shards", [])
        last = description.get("LastEvaluatedShardId")
        if not last:
            return shards
        args["ExclusiveStartShardId"] = last


def order_shards(shards: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Parents before children (a parent no longer listed, i.e. trimmed, does not hold a child back)."""
    by_id = {shard["ShardId"]: shard for shard in shards}
    ordered: list[dict[str, Any]] = []
    seen: set[str] = set()

    def visit(shard: dict[str, Any]) -> None:
        if shard["ShardId"] in seen:
            return
        seen.add(shard["ShardId"])
        parent = by_id.get(shard.get("ParentShardId") or "")
        if parent is not None:
            visit(parent)
        ordered.append(shard)

    for shard in sorted(shards, key=lambda s: s["SequenceNumberRange"]["StartingSequenceNumber"].zfill(40)):
        visit(shard)
    return ordered


def _epoch(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return int(value.timestamp())
    return value


def to_lambda_record(record: dict[str, Any], arn: str) -> dict[str, Any]:
    """One GetRecords record in the shape Lambda passes to the handler."""
    data = dict(record["dynamodb"])
    if "ApproximateCreationDateTime" in data:
        data["ApproximateCreationDateTime"] = _epoch(data["ApproximateCreationDateTime"])
    out = {
        "eventID": record.get("eventID"),
        "eventName": record.get("eventName"),
        "eventVersion": record.get("eventVersion", "1.1"),
        "eventSource": record.get("eventSource", "aws:dynamodb"),
        "awsRegion": record.get("awsRegion"),
        "dynamodb": data,
        "eventSourceARN": arn,
    }
    if record.get("userIdentity"):
        out["userIdentity"] = dict(record["userIdentity"])
    return out


def shard_iterator(streams: Any, arn: str, shard_id: str, after: str | None) -> str | None:
    """AFTER_SEQUENCE_NUMBER when a checkpoint exists, else TRIM_HORIZON; trimmed checkpoints restart."""
    args: dict[str, Any] = {"StreamArn": arn, "ShardId": shard_id, "ShardIteratorType": "TRIM_HORIZON"}
    if after:
        args.update(ShardIteratorType="AFTER_SEQUENCE_NUMBER", SequenceNumber=after)
    try:
        found = streams.get_shard_iterator(**args).get("ShardIterator")
        return str(found) if found else None
    except streams.exceptions.TrimmedDataAccessException:
        args.pop("SequenceNumber", None)
        args["ShardIteratorType"] = "TRIM_HORIZON"
        found = streams.get_shard_iterator(**args).get("ShardIterator")
        return str(found) if found else None


def read_pages(
    streams: Any, arn: str, shard_id: str, after: str | None, limit: int, empty_polls: int = 2
) -> Iterator[tuple[list[dict[str, Any]], bool]]:
    """Yield (records, shard_closed) pages until the shard is closed or `empty_polls` empty reads in a row.

    GetRecords may return an empty page before the end of an open shard, hence more than one
    empty poll before calling the shard caught up.
    """
    iterator = shard_iterator(streams, arn, shard_id, after)
    empty = 0
    while iterator:
        page = streams.get_records(ShardIterator=iterator, Limit=limit)
        records = page.get("Records", [])
        iterator = page.get("NextShardIterator")
        closed = iterator is None
        if records or closed:
            yield records, closed
        if closed:
            return
        empty = 0 if records else empty + 1
        if empty >= empty_polls:
            return
