# Inputs of the university family alone; the inputs every family shares are in variables-common.tf.

variable "replica_regions" {
  description = "Global-table replica regions (prod). Must stay empty in local: the local endpoint cannot create replicas."
  type        = list(string)
  default     = []
}

variable "replica_kms_key_arns" {
  description = "Replica region => customer-managed KMS key ARN in that region (needed when kms_key_arn is set)."
  type        = map(string)
  default     = {}
}

# --- stream processor -------------------------------------------------------------------------

variable "stream_enabled" {
  description = "The table's NEW_AND_OLD_IMAGES stream. false turns it off (needs stream_processor_enabled = false, and no replicas: global tables need the stream); turning it on again creates a new stream with a new ARN."
  type        = bool
  default     = true
}

variable "stream_processor_enabled" {
  description = "Create the stream processor (Lambda, role, DLQ, mapping, processor alarms). false plans the table alone."
  type        = bool
  default     = true
}

variable "lambda_zip_path" {
  description = "Path of the processor zip built by `just build-lambda` / tablekit.staging.lambda_build.build_all() (build/lambda/university-stream.zip). Required when stream_processor_enabled."
  type        = string
  default     = null
}

variable "lambda_runtime" {
  description = "Lambda runtime of the processor: a current Python (default python3.13). The handler stays compatible with the oldest runtime the offline test double (hashicorp/aws 3.39) accepts, which the harness sets for those runs (tablekit.staging.compat.PINNED_VARIABLES)."
  type        = string
  default     = "python3.13"

  validation {
    condition     = can(regex("^python3\\.[0-9]+$", var.lambda_runtime))
    error_message = "The lambda_runtime must be a Python runtime such as python3.13."
  }
}

variable "lambda_memory_size" {
  description = "Processor memory in MB (CPU scales with it)."
  type        = number
  default     = 256
}

variable "lambda_timeout" {
  description = "Processor timeout in seconds; a batch of 100 records takes well under a second."
  type        = number
  default     = 60
}

variable "lambda_reserved_concurrency" {
  description = "Reserved concurrency of the processor: at most shards x parallelization_factor invocations run at once; -1 reserves nothing."
  type        = number
  default     = 10

  validation {
    condition     = var.lambda_reserved_concurrency == -1 || var.lambda_reserved_concurrency >= 1
    error_message = "The lambda_reserved_concurrency must be -1 (no reservation) or >= 1 (0 would stop the processor)."
  }
}

variable "lambda_log_retention_days" {
  description = "Retention of the processor log group in days (poison-record lines are how DLQ entries are traced back to items)."
  type        = number
  default     = 365
}

variable "log_group_kms_key_arn" {
  description = "Customer-managed KMS key ARN for the processor's log group; its key policy must allow logs.<region>.amazonaws.com. null: CloudWatch Logs' default encryption."
  type        = string
  default     = null
}

variable "dlq_message_retention_seconds" {
  description = "How long failed-batch messages stay in the DLQ (max 14 days)."
  type        = number
  default     = 1209600

  validation {
    condition     = var.dlq_message_retention_seconds >= 60 && var.dlq_message_retention_seconds <= 1209600
    error_message = "The dlq_message_retention_seconds must be between 60 and 1209600 (14 days)."
  }
}

variable "create_event_source_mapping" {
  description = "Attach the processor to the stream. null: everywhere but local (on the local endpoint a mapping would swallow the stream; `tablekit stream` consumes it instead)."
  type        = bool
  default     = null
}

variable "event_source_mapping_enabled" {
  description = "Whether the mapping polls (false pauses processing; records wait in the stream for up to 24 h)."
  type        = bool
  default     = true
}

variable "stream_starting_position" {
  description = "Where a new mapping starts: TRIM_HORIZON (everything still in the stream) or LATEST."
  type        = string
  default     = "TRIM_HORIZON"

  validation {
    condition     = contains(["TRIM_HORIZON", "LATEST"], var.stream_starting_position)
    error_message = "The stream_starting_position must be TRIM_HORIZON or LATEST."
  }
}

variable "stream_batch_size" {
  description = "Records per invocation (1-10000); every aggregate item is written at most once per batch."
  type        = number
  default     = 100

  validation {
    condition     = var.stream_batch_size >= 1 && var.stream_batch_size <= 10000
    error_message = "The stream_batch_size must be between 1 and 10000."
  }
}

variable "stream_batching_window_seconds" {
  description = "Seconds to gather records before invoking (0-300); larger windows coalesce more writes."
  type        = number
  default     = 1

  validation {
    condition     = var.stream_batching_window_seconds >= 0 && var.stream_batching_window_seconds <= 300
    error_message = "The stream_batching_window_seconds must be between 0 and 300."
  }
}

variable "stream_parallelization_factor" {
  description = "Concurrent batches per shard (1-10). Safe above 1: per-item order is kept and the processor's optimistic lock serialises writes to one aggregate."
  type        = number
  default     = 1

  validation {
    condition     = var.stream_parallelization_factor >= 1 && var.stream_parallelization_factor <= 10
    error_message = "The stream_parallelization_factor must be between 1 and 10."
  }
}

variable "stream_maximum_retry_attempts" {
  description = "Retries of a failing batch (after bisecting) before its metadata goes to the DLQ (0-10000)."
  type        = number
  default     = 3

  validation {
    condition     = var.stream_maximum_retry_attempts >= 0 && var.stream_maximum_retry_attempts <= 10000
    error_message = "The stream_maximum_retry_attempts must be between 0 and 10000 (bounded, so a poison record cannot block the shard)."
  }
}

variable "stream_maximum_record_age_seconds" {
  description = "Records older than this go to the DLQ unprocessed (60-86400). Also sets how long the processor keeps idempotency marks (this + 1 h)."
  type        = number
  default     = 21600

  validation {
    condition     = var.stream_maximum_record_age_seconds >= 60 && var.stream_maximum_record_age_seconds <= 86400
    error_message = "The stream_maximum_record_age_seconds must be between 60 and 86400 (the 24 h stream retention)."
  }
}

variable "iterator_age_alarm_threshold_ms" {
  description = "Alarm when the processor falls this far behind the stream (IteratorAge maximum, ms)."
  type        = number
  default     = 60000
}

variable "replica_point_in_time_recovery" {
  description = "Point-in-time recovery on the replicas; null: the same as point_in_time_recovery."
  type        = bool
  default     = null
}

variable "replica_propagate_tags" {
  description = "Copy the table's tags to its replicas."
  type        = bool
  default     = true
}
