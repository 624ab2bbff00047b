# The stream processor: Lambda (Python) + least-privilege role + SQS on-failure queue + the
# event-source mapping that feeds it the table's stream. See README "Stream processor".
#
# ARNs the role needs are built from the table/queue/log-group names (not read from the resources)
# so the policy is fully known at plan time and reviewers see it in the plan, not "(known after
# apply)". Only the stream ARN carries a label assigned at creation; its statement is a separate
# policy so it does not hide the rest. (The plan that first creates the env's customer-managed key
# shows this policy as known after apply too: the key ARN is unknown until the key exists.)

locals {
  processor_enabled = var.stream_processor_enabled && local.zip_given
  # moto (the local endpoint) discards a table's stream records whenever a mapping is attached,
  # because it tries to invoke the function itself; locally `tablekit stream` is the consumer.
  create_esm = local.processor_enabled && (var.create_event_source_mapping == null ? var.environment != "local" : var.create_event_source_mapping)

  function_name = "${local.name_prefix}university-stream-processor"
  dlq_name      = "${local.name_prefix}university-stream-dlq"
  log_group     = "/aws/lambda/${local.function_name}"

  partition = data.aws_partition.current.partition
  # `id` is the region name on every provider: 6.x deprecates `name` (for `region`, which 3.39 lacks).
  region    = data.aws_region.current.id
  account   = data.aws_caller_identity.current.account_id
  table_arn = "arn:${local.partition}:dynamodb:${local.region}:${local.account}:table/${local.table_name}"
  dlq_arn   = "arn:${local.partition}:sqs:${local.region}:${local.account}:${local.dlq_name}"
  logs_arn  = "arn:${local.partition}:logs:${local.region}:${local.account}:log-group:${local.log_group}"

  # The handler's view of the world (university_stream.handler documents each variable).
  lambda_environment = {
    TABLE_NAME = local.table_name
    # The mapping sets function_response_types = ["ReportBatchItemFailures"], so the handler
    # returns the failed records (batchItemFailures) and Lambda retries from the first of them;
    # the good records of the batch are not redone. Retries are harmless anyway: the handler is
    # idempotent. ("raise" is the handler's mode for a mapping without partial responses.)
    BATCH_FAILURE_MODE = "report"
    # How long the per-item idempotency marks are kept: the mapping never delivers a record older
    # than maximum_record_age, so marks older than that (+1 h for the last invocation and clock
    # skew) can never match a redelivery. Shorter = smaller aggregate items = cheaper writes.
    IDEMPOTENCY_HORIZON_SECONDS = tostring(var.stream_maximum_record_age_seconds + 3600)
    LOG_LEVEL                   = "INFO"
  }
}

data "aws_partition" "current" {}
data "aws_region" "current" {}
data "aws_caller_identity" "current" {}

# --- on-failure destination -------------------------------------------------------------------

resource "aws_sqs_queue" "dlq" {
  count = local.processor_enabled ? 1 : 0

  name = local.dlq_name
  # Lambda writes batch metadata (shard, sequence-number range), not items: 14 days to react.
  message_retention_seconds = var.dlq_message_retention_seconds
  # SSE: the customer-managed key when given, else the AWS-managed SQS key. (3.39 has no
  # sqs_managed_sse_enabled; a KMS key works on every provider version.)
  kms_master_key_id                 = var.kms_key_arn != null ? var.kms_key_arn : "alias/aws/sqs"
  kms_data_key_reuse_period_seconds = 300
  tags                              = local.tags
}

# --- execution role -----------------------------------------------------------------------------

data "aws_iam_policy_document" "assume" {
  statement {
    sid     = "LambdaAssumesRole"
    effect  = "Allow"
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["lambda.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "processor" {
  count = local.processor_enabled ? 1 : 0

  name               = "${local.function_name}-role"
  description        = "University stream processor: reads this table's stream, writes its aggregate items."
  assume_role_policy = data.aws_iam_policy_document.assume.json
  tags               = local.tags
}

# Everything but the stream: known at plan time. Like every processor object, only evaluated
# while the processor exists (a stream that is off has no ARN to put in a policy).
data "aws_iam_policy_document" "processor" {
  count = local.processor_enabled ? 1 : 0

  statement {
    sid    = "AggregateItemsOnly"
    effect = "Allow"
    # Read-then-conditional-update of the aggregate items (processor.py); no Put/Delete/Transact.
    actions   = ["dynamodb:BatchGetItem", "dynamodb:GetItem", "dynamodb:UpdateItem"]
    resources = [local.table_arn]
    # Fine-grained access: only items whose partition key starts with agg# (the aggregates).
    condition {
      test     = "ForAllValues:StringLike"
      variable = "dynamodb:LeadingKeys"
      values   = ["agg#*"]
    }
  }

  statement {
    sid       = "OnFailureDestination"
    effect    = "Allow"
    actions   = ["sqs:SendMessage"]
    resources = [local.dlq_arn]
  }

  statement {
    sid       = "OwnLogGroup"
    effect    = "Allow"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${local.logs_arn}:*"]
  }

  statement {
    sid    = "XRayTracing"
    effect = "Allow"
    # X-Ray has no resource-level permissions for these two actions.
    actions   = ["xray:PutTraceSegments", "xray:PutTelemetryRecords"]
    resources = ["*"]
  }

  dynamic "statement" {
    # A customer-managed key encrypts the table (stream reads) and the queue (on-failure sends).
    for_each = var.kms_key_arn == null ? [] : [var.kms_key_arn]
    content {
      sid       = "CustomerManagedKey"
      effect    = "Allow"
      actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
      resources = [statement.value]
      condition {
        test     = "StringEquals"
        variable = "kms:ViaService"
        values   = ["dynamodb.${local.region}.amazonaws.com", "sqs.${local.region}.amazonaws.com"]
      }
    }
  }
}

resource "aws_iam_role_policy" "processor" {
  count = local.processor_enabled ? 1 : 0

  name   = "aggregates-dlq-logs-xray"
  role   = aws_iam_role.processor[0].id
  policy = data.aws_iam_policy_document.processor[0].json
}

# The stream: this table's stream ARN only (label assigned when the stream is created).
data "aws_iam_policy_document" "stream" {
  count = local.processor_enabled ? 1 : 0

  statement {
    sid       = "ReadThisStream"
    effect    = "Allow"
    actions   = ["dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator"]
    resources = [local.table.stream_arn]
  }

  statement {
    sid    = "ListStreams"
    effect = "Allow"
    # Required by the event-source mapping; ListStreams has no resource-level permissions and
    # returns stream ARNs only, never item data.
    actions   = ["dynamodb:ListStreams"]
    resources = ["*"]
  }
}

resource "aws_iam_role_policy" "stream" {
  count = local.processor_enabled ? 1 : 0

  name   = "read-table-stream"
  role   = aws_iam_role.processor[0].id
  policy = data.aws_iam_policy_document.stream[0].json
}

# --- function -----------------------------------------------------------------------------------

resource "aws_cloudwatch_log_group" "processor" {
  count = local.processor_enabled ? 1 : 0
  #checkov:skip=CKV_AWS_158:CloudWatch Logs encrypts log data by default; a customer-managed key is opt-in (log_group_kms_key_arn) because its key policy must name the logs service principal.

  name              = local.log_group
  retention_in_days = var.lambda_log_retention_days
  kms_key_id        = var.log_group_kms_key_arn
  tags              = local.tags
}

resource "aws_lambda_function" "processor" {
  count = local.processor_enabled ? 1 : 0
  #checkov:skip=CKV_AWS_117:The function only talks to DynamoDB, SQS, CloudWatch Logs and X-Ray public endpoints; a VPC would add NAT/endpoints and nothing to protect.
  #checkov:skip=CKV_AWS_272:Code signing needs a signing profile this collection does not manage; the zip is built reproducibly from the reviewed repository.
  #checkov:skip=CKV_AWS_173:The environment holds only the table name and tuning knobs, no secrets; the AWS-managed Lambda key encrypts it at rest.
  #checkov:skip=CKV_AWS_116:Stream-triggered: failed batches go to the event-source mapping's on-failure SQS destination (aws_sqs_queue.dlq); the async dead_letter_config below is set outside local only, because the local endpoint does not implement DeadLetterConfig.

  function_name = local.function_name
  description   = "Maintains aggregate counters of the ${local.table_name} table from its stream."
  role          = aws_iam_role.processor[0].arn
  filename      = var.lambda_zip_path
  # Deterministic zip (tablekit.staging.lambda_build): the hash changes only when the code does.
  source_code_hash               = filebase64sha256(var.lambda_zip_path)
  handler                        = "university_stream.handler.lambda_handler"
  runtime                        = var.lambda_runtime
  memory_size                    = var.lambda_memory_size
  timeout                        = var.lambda_timeout
  reserved_concurrent_executions = var.lambda_reserved_concurrency

  environment {
    variables = local.lambda_environment
  }

  tracing_config {
    mode = "Active"
  }

  # Stream batches never use this (their failures go to the mapping's on-failure destination);
  # it catches asynchronous invocations such as a manual replay of a DLQ message. The local
  # endpoint (moto) does not implement DeadLetterConfig, so local would show a diff on every plan.
  dynamic "dead_letter_config" {
    for_each = var.environment == "local" ? [] : [aws_sqs_queue.dlq[0].arn]
    content {
      target_arn = dead_letter_config.value
    }
  }

  tags = local.tags

  depends_on = [aws_iam_role_policy.processor, aws_cloudwatch_log_group.processor]
}

resource "aws_lambda_event_source_mapping" "stream" {
  count = local.create_esm ? 1 : 0

  event_source_arn  = local.table.stream_arn
  function_name     = aws_lambda_function.processor[0].arn
  enabled           = var.event_source_mapping_enabled
  starting_position = var.stream_starting_position

  batch_size                         = var.stream_batch_size
  maximum_batching_window_in_seconds = var.stream_batching_window_seconds
  parallelization_factor             = var.stream_parallelization_factor
  # Partial batch responses: the handler names the records it could not apply and Lambda retries
  # from the first of them. The safety net stays for everything else (a crash, a timeout, a
  # record that keeps failing): split a failing batch until the poison record is alone, retry it
  # a bounded number of times, then send its metadata to the queue and move on, so one record
  # never blocks the shard.
  function_response_types        = ["ReportBatchItemFailures"]
  bisect_batch_on_function_error = true
  maximum_retry_attempts         = var.stream_maximum_retry_attempts
  maximum_record_age_in_seconds  = var.stream_maximum_record_age_seconds

  destination_config {
    on_failure {
      destination_arn = aws_sqs_queue.dlq[0].arn
    }
  }

  # The mapping checks at creation that the role can read the stream.
  depends_on = [aws_iam_role_policy.stream]
}
