# Inputs of the generic table module. Object-ish inputs are `any` (Terraform 1.0 has no
# optional() attributes): they are merged with defaults in main.tf and checked here by validation
# blocks. Every condition is wrapped in try()/can() so malformed input ends in one of these
# messages instead of an expression error. Rules about the shape of a value fall back to `false`
# when they cannot be evaluated; rules about its content fall back to `true`, leaving malformed
# values to the shape rule so one mistake yields one message.
#
# HCL evaluates both sides of `&&`/`||`, so guards use the conditional operator (only the chosen
# branch reports errors) or a nested try().

variable "name" {
  description = "Table name: 3-255 characters of letters, digits, '_', '.' and '-'. DynamoDB cannot rename a table, so changing it replaces the table."
  type        = string

  validation {
    condition     = can(regex("^[a-zA-Z0-9_.-]{3,255}$", var.name))
    error_message = "Invalid name: use 3-255 characters from [a-zA-Z0-9_.-], e.g. \"university\" or \"ielts-users\"."
  }
}

variable "schema" {
  description = <<-EOT
    Keys, indexes and TTL attribute of the table in one object, so cross-field rules are validated together:
    {
      hash_key  = { name = "pk", type = "S" }              # required; type S, N or B
      range_key = { name = "sk", type = "S" }              # optional
      global_secondary_indexes = [{                        # optional, at most 20
        name = "by-student", hash_key = { name = "studentID", type = "S" },
        range_key = { name = "sk", type = "S" },           # optional
        projection_type = "ALL",                           # optional: ALL (default), KEYS_ONLY or INCLUDE
        non_key_attributes = [],                           # only (and required) with INCLUDE
        warm_throughput = { read_units_per_second = 12000, write_units_per_second = 4000 },  # optional, as the table's
        on_demand_throughput = { max_read_request_units = 500, max_write_request_units = 100 } # optional, PAY_PER_REQUEST only
      }]
      local_secondary_indexes = []                         # optional, at most 5; like a GSI without hash_key
      ttl_attribute = "expiresAt"                          # optional; must not be a table key
    }
    Attribute definitions are derived from all keys; one attribute name with two types is an error.
  EOT
  type        = any

  validation {
    condition     = try(length(setsubtract(keys(var.schema), ["hash_key", "range_key", "global_secondary_indexes", "local_secondary_indexes", "ttl_attribute"])) == 0, false)
    error_message = "Invalid schema: it must be an object with hash_key and optionally range_key, global_secondary_indexes, local_secondary_indexes, ttl_attribute; remove or fix the spelling of any other key."
  }

  validation {
    condition     = try(length(setsubtract(keys(var.schema.hash_key), ["name", "type"])) == 0 && can(regex("^.{1,255}$", var.schema.hash_key.name)) && can(regex("^.+$", var.schema.hash_key.type)), false)
    error_message = "Invalid schema.hash_key: set it to an object with exactly name (1-255 characters) and type, e.g. hash_key = { name = \"pk\", type = \"S\" }."
  }

  validation {
    condition     = try(var.schema.range_key, null) == null ? true : try(length(setsubtract(keys(var.schema.range_key), ["name", "type"])) == 0 && can(regex("^.{1,255}$", var.schema.range_key.name)) && can(regex("^.+$", var.schema.range_key.type)), false)
    error_message = "Invalid schema.range_key: omit it or set it to an object with exactly name (1-255 characters) and type, e.g. range_key = { name = \"sk\", type = \"S\" }."
  }

  validation {
    condition = try(var.schema.global_secondary_indexes, null) == null ? true : try(!can(keys(var.schema.global_secondary_indexes)) && alltrue([
      for g in var.schema.global_secondary_indexes :
      length(setsubtract(keys(g), ["name", "hash_key", "range_key", "projection_type", "non_key_attributes", "warm_throughput", "on_demand_throughput"])) == 0
      && can(regex("^", g.name))
      && length(setsubtract(keys(g.hash_key), ["name", "type"])) == 0 && can(regex("^.{1,255}$", g.hash_key.name)) && can(regex("^.+$", g.hash_key.type))
      && (try(g.range_key, null) == null ? true : try(length(setsubtract(keys(g.range_key), ["name", "type"])) == 0 && can(regex("^.{1,255}$", g.range_key.name)) && can(regex("^.+$", g.range_key.type)), false))
    ]), false)
    error_message = "Invalid schema.global_secondary_indexes: give a list of objects, each with name and hash_key = { name, type }, optionally range_key = { name, type }, projection_type, non_key_attributes, warm_throughput and on_demand_throughput, and no other keys."
  }

  validation {
    condition = try(var.schema.local_secondary_indexes, null) == null ? true : try(!can(keys(var.schema.local_secondary_indexes)) && alltrue([
      for l in var.schema.local_secondary_indexes :
      length(setsubtract(keys(l), ["name", "range_key", "projection_type", "non_key_attributes"])) == 0
      && can(regex("^", l.name))
      && length(setsubtract(keys(l.range_key), ["name", "type"])) == 0 && can(regex("^.{1,255}$", l.range_key.name)) && can(regex("^.+$", l.range_key.type))
    ]), false)
    error_message = "Invalid schema.local_secondary_indexes: give a list of objects, each with name and range_key = { name, type }, optionally projection_type and non_key_attributes; an LSI always uses the table hash_key, so do not set hash_key."
  }

  validation {
    condition = try(alltrue([
      for t in concat(
        [var.schema.hash_key.type],
        try(var.schema.range_key, null) == null ? [] : [var.schema.range_key.type],
        [for g in flatten([try(var.schema.global_secondary_indexes, [])]) : g.hash_key.type if g != null],
        [for g in flatten([try(var.schema.global_secondary_indexes, [])]) : g.range_key.type if g != null ? try(g.range_key, null) != null : false],
        [for l in flatten([try(var.schema.local_secondary_indexes, [])]) : l.range_key.type if l != null],
      ) : contains(["S", "N", "B"], t)
    ]), true)
    error_message = "Invalid key type in schema: every type of a table or index key must be \"S\" (string), \"N\" (number) or \"B\" (binary)."
  }

  validation {
    condition     = try(length(flatten([try(var.schema.global_secondary_indexes, [])])) <= 20, true)
    error_message = "Invalid schema.global_secondary_indexes: DynamoDB allows at most 20 global secondary indexes per table; remove some or split the table."
  }

  validation {
    condition     = try(length(flatten([try(var.schema.local_secondary_indexes, [])])) <= 5, true)
    error_message = "Invalid schema.local_secondary_indexes: DynamoDB allows at most 5 local secondary indexes per table; remove some or use global secondary indexes."
  }

  validation {
    condition     = try(length([for l in flatten([try(var.schema.local_secondary_indexes, [])]) : l if l != null]) == 0 ? true : try(var.schema.range_key, null) != null, true)
    error_message = "Invalid schema.local_secondary_indexes: a local secondary index needs a table range key; set schema.range_key or use a global secondary index instead."
  }

  validation {
    condition     = try(var.schema.ttl_attribute, null) == null ? true : can(regex("^.{1,255}$", var.schema.ttl_attribute))
    error_message = "Invalid schema.ttl_attribute: omit it or give the 1-255 character name of the Number attribute holding the expiry epoch seconds, e.g. \"expiresAt\"."
  }

  validation {
    condition     = try(var.schema.ttl_attribute, null) == null ? true : try(!contains(concat([var.schema.hash_key.name], try(var.schema.range_key, null) == null ? [] : [var.schema.range_key.name]), var.schema.ttl_attribute), true)
    error_message = "Invalid schema.ttl_attribute: the TTL attribute cannot be the table hash_key or range_key; use a separate Number attribute such as \"expiresAt\"."
  }

  validation {
    condition = try(alltrue([
      for name, types in {
        for a in concat(
          [var.schema.hash_key],
          try(var.schema.range_key, null) == null ? [] : [var.schema.range_key],
          [for g in flatten([try(var.schema.global_secondary_indexes, [])]) : g.hash_key if g != null],
          [for g in flatten([try(var.schema.global_secondary_indexes, [])]) : g.range_key if g != null ? try(g.range_key, null) != null : false],
          [for l in flatten([try(var.schema.local_secondary_indexes, [])]) : l.range_key if l != null],
        ) : a.name => a.type...
      } : length(distinct(types)) == 1
    ]), true)
    error_message = "Invalid schema attribute types: the same attribute name is used as a key with two different types; give it one type (S, N or B) everywhere it appears."
  }
}

variable "ttl_enabled" {
  description = "Whether TTL is enabled on schema.ttl_attribute. false keeps the attribute name and disables TTL in place (see the README for the provider 3.39 follow-up on real AWS). Ignored when schema.ttl_attribute is null. null means true."
  type        = bool
  default     = true
}

variable "billing" {
  description = <<-EOT
    Capacity mode, merged with defaults { mode = "PAY_PER_REQUEST", target_utilization = 70, scale_in_cooldown = 60, scale_out_cooldown = 60 }.
    PROVISIONED needs read = { min, max } and write = { min, max } (capacity units, 0 < min <= max): the table and every GSI start
    at min and Application Auto Scaling target tracking (target_utilization percent, 20-90) owns the capacity afterwards.
    read/write are ignored with PAY_PER_REQUEST, so switching mode only changes `mode`.
  EOT
  type        = any
  default     = { mode = "PAY_PER_REQUEST" }

  validation {
    condition     = var.billing == null ? true : try(length(setsubtract(keys(var.billing), ["mode", "read", "write", "target_utilization", "scale_in_cooldown", "scale_out_cooldown"])) == 0, false)
    error_message = "Invalid billing: it must be an object with only mode, read, write, target_utilization, scale_in_cooldown and scale_out_cooldown; fix the spelling of any other key."
  }

  validation {
    condition     = try(var.billing.mode, null) == null ? true : try(contains(["PAY_PER_REQUEST", "PROVISIONED"], var.billing.mode), false)
    error_message = "Invalid billing.mode: use \"PAY_PER_REQUEST\" (default, on-demand) or \"PROVISIONED\" (capacity with autoscaling)."
  }

  validation {
    condition = try(var.billing.mode, null) != "PROVISIONED" ? true : try(alltrue([
      for dim in ["read", "write"] :
      length(setsubtract(keys(var.billing[dim]), ["min", "max"])) == 0
      && floor(var.billing[dim].min) == var.billing[dim].min && floor(var.billing[dim].max) == var.billing[dim].max
      && var.billing[dim].min > 0 && var.billing[dim].min <= var.billing[dim].max
    ]), false)
    error_message = "Invalid billing.read/billing.write: PROVISIONED needs read = { min, max } and write = { min, max } as whole capacity units with 0 < min <= max, e.g. read = { min = 5, max = 100 }."
  }

  validation {
    condition     = try(var.billing.target_utilization, null) == null ? true : try(var.billing.target_utilization >= 20 && var.billing.target_utilization <= 90, false)
    error_message = "Invalid billing.target_utilization: Application Auto Scaling for DynamoDB accepts a target between 20 and 90 percent; the default is 70."
  }

  validation {
    condition     = try(alltrue([for k in ["scale_in_cooldown", "scale_out_cooldown"] : try(var.billing[k], null) == null ? true : var.billing[k] >= 0]), false)
    error_message = "Invalid billing.scale_in_cooldown/scale_out_cooldown: give a number of seconds >= 0 (default 60)."
  }
}

variable "point_in_time_recovery" {
  description = "Point-in-time recovery (continuous backups for the last 35 days). Toggling it is an in-place update. null means true."
  type        = bool
  default     = true
}

variable "sse_enabled" {
  description = "true: encrypt with a KMS key (the AWS-managed aws/dynamodb key, or sse_kms_key_arn when set); false: the AWS-owned default key. Tables are always encrypted at rest. null means true."
  type        = bool
  default     = true
}

variable "sse_kms_key_arn" {
  description = "ARN of a customer-managed KMS key for server-side encryption (prod). null keeps the key the table already uses (provider quirk, see README); requires sse_enabled = true."
  type        = string
  default     = null

  validation {
    condition     = var.sse_kms_key_arn == null ? true : can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:(key|alias)/.+$", var.sse_kms_key_arn))
    error_message = "Invalid sse_kms_key_arn: give a KMS key or alias ARN such as arn:aws:kms:eu-west-1:123456789012:key/<key-id>, or null for the AWS-managed key."
  }
}

variable "stream_view_type" {
  description = "DynamoDB Streams view type: KEYS_ONLY, NEW_IMAGE, OLD_IMAGE or NEW_AND_OLD_IMAGES; null turns the stream off. Changing the type of an enabled stream needs two applies (off, then the new type), see README."
  type        = string
  default     = null

  validation {
    condition     = var.stream_view_type == null ? true : contains(["KEYS_ONLY", "NEW_IMAGE", "OLD_IMAGE", "NEW_AND_OLD_IMAGES"], var.stream_view_type)
    error_message = "Invalid stream_view_type: use \"KEYS_ONLY\", \"NEW_IMAGE\", \"OLD_IMAGE\" or \"NEW_AND_OLD_IMAGES\", or null to turn the stream off."
  }
}

variable "replica_regions" {
  description = "Regions of global-table (version 2019.11.21) replicas, never the provider's own region (checked at plan time); needs stream_view_type = NEW_AND_OLD_IMAGES. Never use replicas on the local endpoint: moto does not implement them. null means []."
  type        = list(string)
  default     = []

  validation {
    condition     = var.replica_regions == null ? true : alltrue([for r in var.replica_regions : can(regex("^[a-z]{2}(-[a-z]+)+-[0-9]+$", r))])
    error_message = "Invalid replica_regions: give AWS region names such as \"eu-west-1\" or \"us-gov-west-1\"."
  }

  validation {
    condition     = var.replica_regions == null ? true : length(distinct(var.replica_regions)) == length(var.replica_regions)
    error_message = "Invalid replica_regions: every region may appear only once; remove the duplicates."
  }
}

variable "replica_kms_key_arns" {
  description = "Customer-managed KMS key ARN per replica region (region => ARN); regions missing here use the AWS-managed key. Every key must be a region of replica_regions. null means {}."
  type        = map(string)
  default     = {}

  validation {
    condition     = var.replica_kms_key_arns == null ? true : alltrue([for r, arn in var.replica_kms_key_arns : can(regex("^arn:aws[a-z-]*:kms:${r}:[0-9]{12}:(key|alias)/.+$", arn))])
    error_message = "Invalid replica_kms_key_arns: each value must be a KMS key ARN in the region of its map key, e.g. { \"eu-west-1\" = \"arn:aws:kms:eu-west-1:123456789012:key/<key-id>\" }."
  }
}

variable "tags" {
  description = "Tags for the table and its alarms, merged over the module defaults (Name, ManagedBy, TerraformModule); your values win. AWS's tag rules are checked on the merged map at plan time: at most 50 tags, keys of 1-128 and values of up to 256 letters, digits, spaces and _ . : / = + - @, no aws: prefix. null means {}."
  type        = map(string)
  default     = {}
}

variable "alarms" {
  description = <<-EOT
    CloudWatch alarms, merged with defaults:
    {
      enabled                  = false          # create the alarms at all
      actions                  = []             # SNS topic ARNs notified on ALARM and on OK
      period                   = 300            # seconds: 10, 30 or a multiple of 60
      evaluation_periods       = 1
      throttle_threshold       = 1              # Read/WriteThrottleEvents (sum per period) of the table and each GSI
      system_errors_threshold  = 1              # SystemErrors summed over system_errors_operations
      system_errors_operations = ["GetItem", "PutItem", "UpdateItem", "DeleteItem", "Query", "Scan", "BatchGetItem", "BatchWriteItem", "TransactGetItems", "TransactWriteItems"]
      user_errors_threshold    = null           # account-and-region-wide UserErrors metric; null = no alarm
      latency_threshold_ms     = null           # SuccessfulRequestLatency per latency_operations; null = no alarm
      latency_operations       = ["GetItem", "Query", "PutItem", "UpdateItem"]
      latency_statistic        = "Average"      # or a percentile such as "p99"
      treat_missing_data       = "notBreaching"
    }
  EOT
  type        = any
  default     = { enabled = false }

  validation {
    condition     = var.alarms == null ? true : try(length(setsubtract(keys(var.alarms), ["enabled", "actions", "period", "evaluation_periods", "throttle_threshold", "system_errors_threshold", "system_errors_operations", "user_errors_threshold", "latency_threshold_ms", "latency_operations", "latency_statistic", "treat_missing_data"])) == 0, false)
    error_message = "Invalid alarms: allowed keys are enabled, actions, period, evaluation_periods, throttle_threshold, system_errors_threshold, system_errors_operations, user_errors_threshold, latency_threshold_ms, latency_operations, latency_statistic and treat_missing_data; fix the spelling of any other key."
  }

  validation {
    condition     = try(var.alarms.enabled, null) == null ? true : can(tobool(var.alarms.enabled))
    error_message = "Invalid alarms.enabled: use true or false."
  }

  validation {
    condition     = try(var.alarms.actions, null) == null ? true : try(alltrue([for a in var.alarms.actions : can(regex("^arn:aws[a-z-]*:sns:[a-z0-9-]+:[0-9]{12}:[A-Za-z0-9_-]{1,256}(\\.fifo)?$", a))]) && !can(keys(var.alarms.actions)), false)
    error_message = "Invalid alarms.actions: give a list of SNS topic ARNs such as arn:aws:sns:eu-west-1:123456789012:dynamodb-alerts."
  }

  validation {
    condition = try(alltrue([
      for k in ["throttle_threshold", "system_errors_threshold", "user_errors_threshold", "latency_threshold_ms"] :
      try(var.alarms[k], null) == null ? true : var.alarms[k] >= 0
    ]), false)
    error_message = "Invalid alarms thresholds: throttle_threshold, system_errors_threshold, user_errors_threshold and latency_threshold_ms must be numbers >= 0, or null to skip that alarm."
  }

  validation {
    condition     = try(var.alarms.period, null) == null ? true : try(contains([10, 30], var.alarms.period) || (var.alarms.period >= 60 && var.alarms.period % 60 == 0), false)
    error_message = "Invalid alarms.period: CloudWatch accepts 10, 30 or a multiple of 60 seconds."
  }

  validation {
    condition     = try(var.alarms.evaluation_periods, null) == null ? true : try(var.alarms.evaluation_periods >= 1 && floor(var.alarms.evaluation_periods) == var.alarms.evaluation_periods, false)
    error_message = "Invalid alarms.evaluation_periods: give a whole number >= 1."
  }

  validation {
    condition     = try(var.alarms.system_errors_operations, null) == null ? true : try(length(var.alarms.system_errors_operations) >= 1 && length(var.alarms.system_errors_operations) <= 10 && !can(keys(var.alarms.system_errors_operations)), false)
    error_message = "Invalid alarms.system_errors_operations: give a list of 1-10 DynamoDB operation names (a CloudWatch alarm sums at most 10 metrics)."
  }

  validation {
    condition     = try(var.alarms.latency_statistic, null) == null ? true : can(regex("^(Average|Minimum|Maximum|p[0-9]{1,2}(\\.[0-9]+)?)$", var.alarms.latency_statistic))
    error_message = "Invalid alarms.latency_statistic: use Average, Minimum, Maximum or a percentile such as p99."
  }

  validation {
    condition     = try(var.alarms.treat_missing_data, null) == null ? true : contains(["breaching", "notBreaching", "ignore", "missing"], var.alarms.treat_missing_data)
    error_message = "Invalid alarms.treat_missing_data: use breaching, notBreaching (default), ignore or missing."
  }
}

# --- current-provider settings (hashicorp/aws 6.x; the offline 3.39 double strips them, see README) ---

variable "deletion_protection_enabled" {
  description = "Deletion protection of the table and its replicas: DynamoDB refuses DeleteTable, so neither a destroy nor a plan that would replace the table can lose it until an apply switches this off. Default true because the module's job is tables that hold data; local envs set false so teardown works. null means true."
  type        = bool
  default     = true
}

variable "table_class" {
  description = "Table class: STANDARD, or STANDARD_INFREQUENT_ACCESS (storage ~60 % cheaper, reads and writes ~25 % dearer) for tables that are mostly stored and seldom read. null means STANDARD."
  type        = string
  default     = "STANDARD"

  validation {
    condition     = var.table_class == null ? true : contains(["STANDARD", "STANDARD_INFREQUENT_ACCESS"], var.table_class)
    error_message = "Invalid table_class: use \"STANDARD\" (default) or \"STANDARD_INFREQUENT_ACCESS\"."
  }
}

variable "point_in_time_recovery_period_days" {
  description = "How many days back point-in-time recovery can restore (1-35) while point_in_time_recovery is on. null keeps DynamoDB's default of 35."
  type        = number
  default     = null

  validation {
    condition     = var.point_in_time_recovery_period_days == null ? true : (var.point_in_time_recovery_period_days >= 1 && var.point_in_time_recovery_period_days <= 35 && floor(var.point_in_time_recovery_period_days) == var.point_in_time_recovery_period_days)
    error_message = "Invalid point_in_time_recovery_period_days: give a whole number of days from 1 to 35, or null for DynamoDB's default (35)."
  }
}

variable "replica_point_in_time_recovery" {
  description = "Point-in-time recovery on every replica. null: the same as point_in_time_recovery."
  type        = bool
  default     = null
}

variable "replica_propagate_tags" {
  description = "Copy the table's tags to every replica (the provider's own default is false, which leaves replicas untagged). null means true."
  type        = bool
  default     = true
}

variable "on_demand_throughput" {
  description = "PAY_PER_REQUEST only: { max_read_request_units, max_write_request_units } caps the table's request rate (a cost guard); each is a whole number >= 1, or -1 / null for no cap. Ignored for PROVISIONED. null: no caps."
  type        = any
  default     = null

  validation {
    condition     = var.on_demand_throughput == null ? true : try(length(setsubtract(keys(var.on_demand_throughput), ["max_read_request_units", "max_write_request_units"])) == 0, false)
    error_message = "Invalid on_demand_throughput: it must be an object with only max_read_request_units and max_write_request_units, e.g. { max_read_request_units = 1000, max_write_request_units = 500 }."
  }

  validation {
    condition = var.on_demand_throughput == null ? true : try(alltrue([
      for k in ["max_read_request_units", "max_write_request_units"] :
      try(var.on_demand_throughput[k], null) == null ? true : (var.on_demand_throughput[k] == -1 || (var.on_demand_throughput[k] >= 1 && floor(var.on_demand_throughput[k]) == var.on_demand_throughput[k]))
    ]), false)
    error_message = "Invalid on_demand_throughput: max_read_request_units and max_write_request_units are whole numbers >= 1, or -1 for no cap."
  }
}

variable "import_table" {
  description = <<-EOT
    Create the table from data in S3 (DynamoDB ImportTable; read only when the table is created):
    {
      input_format           = "DYNAMODB_JSON"     # or "ION" or "CSV"
      input_compression_type = "GZIP"              # optional: GZIP, ZSTD or NONE
      s3_bucket_source       = { bucket = "my-exports", key_prefix = "AWSDynamoDB/01234/data/", bucket_owner = null }
      input_format_options   = { csv = { delimiter = ",", header_list = ["pk", "sk"] } }   # optional, CSV only
    }
    null: an empty table.
  EOT
  type        = any
  default     = null

  validation {
    condition     = var.import_table == null ? true : try(length(setsubtract(keys(var.import_table), ["input_format", "input_compression_type", "s3_bucket_source", "input_format_options"])) == 0 && length(setsubtract(keys(var.import_table.s3_bucket_source), ["bucket", "bucket_owner", "key_prefix"])) == 0 && can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.import_table.s3_bucket_source.bucket)), false)
    error_message = "Invalid import_table: give input_format and s3_bucket_source = { bucket, key_prefix, bucket_owner } (only those keys, plus optional input_compression_type and input_format_options), with a valid S3 bucket name."
  }

  validation {
    condition     = try(var.import_table.input_format, null) == null ? true : contains(["DYNAMODB_JSON", "ION", "CSV"], var.import_table.input_format)
    error_message = "Invalid import_table.input_format: use \"DYNAMODB_JSON\", \"ION\" or \"CSV\"."
  }

  validation {
    condition     = try(var.import_table.input_compression_type, null) == null ? true : contains(["GZIP", "ZSTD", "NONE"], var.import_table.input_compression_type)
    error_message = "Invalid import_table.input_compression_type: use \"GZIP\", \"ZSTD\" or \"NONE\"."
  }

  validation {
    condition     = try(var.import_table.input_format_options, null) == null ? true : try(var.import_table.input_format == "CSV", false)
    error_message = "Invalid import_table.input_format_options: CSV options (delimiter, header_list) apply only with input_format = \"CSV\"."
  }
}

variable "existing_table_names" {
  description = "PROVISIONED tables with GSIs only: names of the tables that exist in the provider's region, so the module knows whether to read this table's live GSI capacity (autoscaling owns it, README). null: the module lists them itself (ListTables, hashicorp/aws 6.x data source aws_dynamodb_tables). Pass a list to skip the listing, e.g. when the caller may not call ListTables, or on the offline 3.39 double, which has no such data source."
  type        = list(string)
  default     = null
}

# --- DynamoDB features of 2026 (hashicorp/aws 6.x; the 3.39 double strips them, README) -----------

variable "warm_throughput" {
  description = "Pre-warm the table: { read_units_per_second, write_units_per_second } it must serve instantly (at least 12000 reads and 4000 writes per second, DynamoDB's documented minimums; either may be omitted). Warm throughput can only be raised. null: DynamoDB's own."
  type        = any
  default     = null

  validation {
    condition     = var.warm_throughput == null ? true : try(length(setsubtract(keys(var.warm_throughput), ["read_units_per_second", "write_units_per_second"])) == 0 && length(keys(var.warm_throughput)) > 0, false)
    error_message = "Invalid warm_throughput: give an object with read_units_per_second and/or write_units_per_second, e.g. { read_units_per_second = 15000, write_units_per_second = 5000 }."
  }

  validation {
    condition     = var.warm_throughput == null ? true : try((try(var.warm_throughput.read_units_per_second, null) == null ? true : var.warm_throughput.read_units_per_second >= 12000 && floor(var.warm_throughput.read_units_per_second) == var.warm_throughput.read_units_per_second) && (try(var.warm_throughput.write_units_per_second, null) == null ? true : var.warm_throughput.write_units_per_second >= 4000 && floor(var.warm_throughput.write_units_per_second) == var.warm_throughput.write_units_per_second), false)
    error_message = "Invalid warm_throughput: DynamoDB's minimums are 12000 read_units_per_second and 4000 write_units_per_second (whole numbers); raise the value or leave it out."
  }
}

variable "replica_consistency_mode" {
  description = "Consistency of the global table: \"EVENTUAL\" (multi-Region eventual, the default) or \"STRONG\" (multi-Region strong consistency: exactly three Regions in all, the table's plus replica_regions plus an optional global_table_witness_region, in one Region set such as us-*, eu-* or ap-*). null: EVENTUAL."
  type        = string
  default     = null

  validation {
    condition     = var.replica_consistency_mode == null ? true : contains(["EVENTUAL", "STRONG"], var.replica_consistency_mode)
    error_message = "Invalid replica_consistency_mode: use \"EVENTUAL\" (default) or \"STRONG\"."
  }
}

variable "global_table_witness_region" {
  description = "STRONG consistency only: a Region that holds a witness (no replica data, a vote) so that the table plus one replica plus the witness make the three Regions strong consistency needs. null: no witness."
  type        = string
  default     = null

  validation {
    condition     = var.global_table_witness_region == null ? true : can(regex("^[a-z]{2}(-[a-z]+)+-[0-9]+$", var.global_table_witness_region))
    error_message = "Invalid global_table_witness_region: give an AWS Region name such as \"us-west-2\", or null."
  }
}

variable "resource_policy" {
  description = "Resource-based policy of the table (JSON, e.g. jsonencode({...})), attached with aws_dynamodb_resource_policy: at most 20 KB, an object with a Statement. null: no policy (nothing is created)."
  type        = string
  default     = null

  validation {
    condition     = var.resource_policy == null ? true : try(length(jsondecode(var.resource_policy).Statement) > 0, false)
    error_message = "Invalid resource_policy: it must be valid JSON of an IAM policy object with a non-empty Statement; build it with jsonencode({ Version = \"2012-10-17\", Statement = [...] })."
  }

  validation {
    condition     = var.resource_policy == null ? true : length(var.resource_policy) <= 20480
    error_message = "Invalid resource_policy: DynamoDB accepts policies of at most 20 KB (20480 characters); shorten it (jsonencode output has no spaces)."
  }
}

variable "contributor_insights" {
  description = "CloudWatch Contributor Insights (most accessed and throttled keys): { table = true, indexes = [\"by-x\"], mode = \"ACCESSED_AND_THROTTLED_KEYS\" or \"THROTTLED_KEYS\" }; indexes are global secondary index names. null: off (nothing is created)."
  type        = any
  default     = null

  validation {
    condition     = var.contributor_insights == null ? true : try(length(setsubtract(keys(var.contributor_insights), ["table", "indexes", "mode"])) == 0 && (try(var.contributor_insights.table, null) == null ? true : can(tobool(var.contributor_insights.table))) && (try(var.contributor_insights.indexes, null) == null ? true : !can(keys(var.contributor_insights.indexes)) && alltrue([for i in var.contributor_insights.indexes : can(regex("^", i))])), false)
    error_message = "Invalid contributor_insights: give { table = true/false, indexes = [<GSI names>], mode = ... } and no other keys."
  }

  validation {
    condition     = try(var.contributor_insights.mode, null) == null ? true : contains(["ACCESSED_AND_THROTTLED_KEYS", "THROTTLED_KEYS"], var.contributor_insights.mode)
    error_message = "Invalid contributor_insights.mode: use \"ACCESSED_AND_THROTTLED_KEYS\" (default) or \"THROTTLED_KEYS\"."
  }
}

variable "kinesis_streaming_destination" {
  description = "Stream item changes to a Kinesis data stream of the table's account and Region: { stream_arn, approximate_creation_date_time_precision = \"MILLISECOND\" or \"MICROSECOND\" }. null: none."
  type        = any
  default     = null

  validation {
    condition     = var.kinesis_streaming_destination == null ? true : try(length(setsubtract(keys(var.kinesis_streaming_destination), ["stream_arn", "approximate_creation_date_time_precision"])) == 0 && can(regex("^arn:aws[a-z-]*:kinesis:[a-z0-9-]+:[0-9]{12}:stream/[a-zA-Z0-9_.-]{1,128}$", var.kinesis_streaming_destination.stream_arn)), false)
    error_message = "Invalid kinesis_streaming_destination: give { stream_arn = \"arn:aws:kinesis:<region>:<account>:stream/<name>\" } and optionally approximate_creation_date_time_precision, no other keys."
  }

  validation {
    condition     = try(var.kinesis_streaming_destination.approximate_creation_date_time_precision, null) == null ? true : contains(["MILLISECOND", "MICROSECOND"], var.kinesis_streaming_destination.approximate_creation_date_time_precision)
    error_message = "Invalid kinesis_streaming_destination.approximate_creation_date_time_precision: use \"MILLISECOND\" or \"MICROSECOND\"."
  }
}

variable "restore" {
  description = <<-EOT
    Create the table as a restore (read only when the table is created; later changes are ignored, never a replacement):
    { backup_arn = "arn:aws:dynamodb:<region>:<account>:table/<t>/backup/<id>" }                     # from an on-demand backup, or
    { source_name = "orders" (or source_table_arn = "..."), date_time = "2026-01-31T12:00:00Z" }      # point in time, or
    { source_name = "orders", to_latest_time = true }                                                # latest restorable time
    Excludes import_table. null: an empty (or imported) table.
  EOT
  type        = any
  default     = null

  validation {
    condition     = var.restore == null ? true : try(length(setsubtract(keys(var.restore), ["backup_arn", "source_name", "source_table_arn", "date_time", "to_latest_time"])) == 0, false)
    error_message = "Invalid restore: allowed keys are backup_arn, or source_name/source_table_arn with date_time or to_latest_time; fix the spelling of any other key."
  }

  validation {
    condition = var.restore == null ? true : try(
      try(var.restore.backup_arn, null) != null
      ? length([for k in ["source_name", "source_table_arn", "date_time", "to_latest_time"] : k if try(var.restore[k], null) != null]) == 0 && can(regex("^arn:aws[a-z-]*:dynamodb:[a-z0-9-]+:[0-9]{12}:table/[a-zA-Z0-9_.-]{3,255}/backup/[0-9a-zA-Z-]+$", var.restore.backup_arn))
      : length([for k in ["source_name", "source_table_arn"] : k if try(var.restore[k], null) != null]) == 1 && (try(var.restore.date_time, null) != null) != (try(var.restore.to_latest_time, false) == true),
    false)
    error_message = "Invalid restore: give either backup_arn (a DynamoDB backup ARN) alone, or exactly one of source_name/source_table_arn with exactly one of date_time or to_latest_time = true."
  }

  validation {
    condition     = try(var.restore.date_time, null) == null ? true : can(regex("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})$", var.restore.date_time))
    error_message = "Invalid restore.date_time: give an RFC 3339 time such as \"2026-01-31T12:00:00Z\" within the source's recovery window."
  }
}

variable "timeouts" {
  description = "How long Terraform waits for the table: { create, update, delete } as durations such as \"30m\" or \"1h30m\" (a restore or a new replica can take hours). null: the provider's defaults."
  type        = any
  default     = null

  validation {
    condition     = var.timeouts == null ? true : try(length(setsubtract(keys(var.timeouts), ["create", "update", "delete"])) == 0 && alltrue([for k, v in var.timeouts : v == null ? true : can(regex("^([0-9]+(\\.[0-9]+)?(ns|us|ms|s|m|h))+$", v))]), false)
    error_message = "Invalid timeouts: give { create, update, delete } (any of them) as durations such as \"45m\" or \"2h\"."
  }
}
