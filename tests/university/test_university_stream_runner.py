"""The local stream runner against moto's real stream: batching, checkpoints, bisect + DLQ, follow."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from university_support import plain_to_typed, read_aggregate

from tablekit.errors import UserError
from tablekit.stream import drain, follow
from tablekit.stream.reader import order_shards, to_lambda_record

ROSTER = [{"pk": "course#101", "sk": f"student#{n}", "entityType": "student", "studentID": str(n)} for n in range(7)]


def put_all(client, table, items):
    for item in items:
        client.put_item(TableName=table, Item=plain_to_typed(item))


def test_drain_applies_and_resumes_from_checkpoint(aws, table, tmp_path):
    client = aws("dynamodb")
    put_all(client, table, ROSTER)
    first = drain(table, aws, batch_size=3, checkpoint_dir=tmp_path)
    assert read_aggregate(client, table, "agg#course#101")["enrolledStudents"] == 7
    # Like the real mapping, the runner reads the processor's own aggregate writes back from the
    # stream (interleaved with base records) and skips each of them: the loop guard at work.
    assert first.counters["applied"] == 7 and first.counters["writes"] == 3  # one write per batch of 3
    # (moto emits two INSERTs when UpdateItem creates an item, real DynamoDB one: hence >=.)
    assert first.counters["ignored"] >= first.counters["writes"]
    assert first.records == 7 + first.counters["ignored"]
    assert first.dead_lettered == []

    client.delete_item(TableName=table, Key=plain_to_typed({"pk": "course#101", "sk": "student#0"}))
    second = drain(table, aws, checkpoint_dir=tmp_path)
    assert second.records == 2  # the delete and the aggregate update it caused; nothing re-read
    assert read_aggregate(client, table, "agg#course#101")["enrolledStudents"] == 6

    again = drain(table, aws, checkpoint_dir=tmp_path, from_start=True)
    assert again.counters["writes"] == 0 and again.counters["duplicates"] == 8
    assert read_aggregate(client, table, "agg#course#101")["enrolledStudents"] == 6


def test_poison_record_is_dead_lettered_and_the_rest_applied(aws, table, tmp_path):
    client, sqs = aws("dynamodb"), aws("sqs")
    queue = sqs.create_queue(QueueName=f"{table}-dlq")["QueueUrl"]
    poison = {
        "pk": "assignment#a1",
        "sk": "student#9",
        "entityType": "submission",
        "studentID": "9",
        "courseID": "101",
        "grade": "A+",
    }
    put_all(client, table, [*ROSTER[:3], poison, *ROSTER[3:]])
    summary = drain(table, aws, batch_size=10, max_retries=1, checkpoint_dir=tmp_path, dlq_url=queue)

    assert len(summary.dead_lettered) == 1
    assert read_aggregate(client, table, "agg#course#101")["enrolledStudents"] == 7
    messages = sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10)["Messages"]
    info = json.loads(messages[0]["Body"])["DDBStreamBatchInfo"]
    assert info["startSequenceNumber"] == info["endSequenceNumber"] == summary.dead_lettered[0]
    assert info["batchSize"] == 1 and info["streamArn"] == summary.stream_arn
    # bisect isolates the poison: more invocations than batches, but every good record applied once
    assert summary.invocations > summary.batches
    assert summary.counters["applied"] == 7


def test_follow_prints_a_line_per_batch(aws, table, tmp_path):
    put_all(aws("dynamodb"), table, ROSTER[:2])
    lines: list[str] = []
    polls = iter([False, True])
    summary = follow(table, aws, poll_seconds=0, checkpoint_dir=tmp_path, out=lines.append, stop=lambda: next(polls))
    assert summary.counters["applied"] == 2 and summary.batches == 2  # the roster pair, then own writes
    assert lines[0].startswith("following ") and lines[-1].startswith("stopped: ")
    assert any("applied    2" in line for line in lines[1:-1])


def test_table_without_stream_is_a_user_error(aws, tmp_path):
    client = aws("dynamodb")
    client.create_table(
        TableName="no-stream-table",
        BillingMode="PAY_PER_REQUEST",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
    )
    try:
        with pytest.raises(UserError, match="has no stream"):
            drain("no-stream-table", aws, checkpoint_dir=tmp_path)
        with pytest.raises(UserError, match="does not exist"):
            drain("missing-table", aws, checkpoint_dir=tmp_path)
    finally:
        client.delete_table(TableName="no-stream-table")


def test_shards_are_read_parents_first():
    def shard(sid, start, parent=None):
        out = {"ShardId": sid, "SequenceNumberRange": {"StartingSequenceNumber": start}}
        if parent:
            out["ParentShardId"] = parent
        return out

    shards = [shard("c2", "300", "p"), shard("p", "100", "gone"), shard("c1", "200", "p"), shard("x", "50")]
    assert [s["ShardId"] for s in order_shards(shards)] == ["x", "p", "c1", "c2"]


def test_records_get_the_lambda_event_shape():
    import datetime as dt

    raw = {
        "eventID": "e",
        "eventName": "REMOVE",
        "eventVersion": "1.1",
        "eventSource": "aws:dynamodb",
        "awsRegion": "us-east-1",
        "userIdentity": {"type": "Service", "principalId": "dynamodb.amazonaws.com"},
        "dynamodb": {
            "ApproximateCreationDateTime": dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
            "SequenceNumber": "1",
            "Keys": {"pk": {"S": "a"}},
            "OldImage": {"n": {"N": "1.5"}},
        },
    }
    record = to_lambda_record(raw, "arn:stream")
    assert record["eventSourceARN"] == "arn:stream"
    assert record["dynamodb"]["ApproximateCreationDateTime"] == 1767225600
    assert record["userIdentity"]["principalId"] == "dynamodb.amazonaws.com"
    assert json.loads(json.dumps(record))["dynamodb"]["OldImage"] == {"n": {"N": "1.5"}}
    assert Decimal(record["dynamodb"]["OldImage"]["n"]["N"]) == Decimal("1.5")


def test_cli_drains_once(aws, table, endpoint_url, tmp_path, capsys):
    from tablekit.cli import main

    put_all(aws("dynamodb"), table, ROSTER[:1])
    code = main(
        ["stream", "--once", "--table", table, "--endpoint-url", endpoint_url, "--checkpoint-dir", str(tmp_path)]
    )
    out = capsys.readouterr().out
    assert code == 0
    assert json.loads(out[out.index("{") :])["applied"] == 1
