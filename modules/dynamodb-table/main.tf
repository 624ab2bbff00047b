# The generic DynamoDB table: exactly one aws_dynamodb_table whatever the billing mode, TTL or
# stream settings, so no toggle ever moves the table to another address (which would destroy it).
# Autoscaling lives in autoscaling.tf, alarms in alarms.tf.

locals {
  # ---------------------------------------------------------------------------------------------
  # Inputs merged with defaults. In Terraform 1.0 a caller passing null overrides a default, so
  # every input treats null as "use the default" (merge() skips null arguments).
  # ---------------------------------------------------------------------------------------------
  billing_defaults = {
    mode               = "PAY_PER_REQUEST"
    target_utilization = 70
    scale_in_cooldown  = 60
    scale_out_cooldown = 60
  }
  billing     = merge(local.billing_defaults, var.billing)
  provisioned = local.billing.mode == "PROVISIONED"
  # Only read when PROVISIONED, where validation guarantees both objects exist.
  capacity = local.provisioned ? {
    read  = { min = var.billing.read.min, max = var.billing.read.max }
    write = { min = var.billing.write.min, max = var.billing.write.max }
  } : null

  ttl_enabled = var.ttl_enabled == null ? true : var.ttl_enabled
  pitr        = var.point_in_time_recovery == null ? true : var.point_in_time_recovery
  sse_enabled = var.sse_enabled == null ? true : var.sse_enabled

  replica_regions      = var.replica_regions == null ? [] : var.replica_regions
  replica_kms_key_arns = var.replica_kms_key_arns == null ? {} : var.replica_kms_key_arns

  default_tags = {
    Name            = var.name
    ManagedBy       = "terraform"
    TerraformModule = "dynamodb-table"
  }
  tags = merge(local.default_tags, var.tags)

  # ---------------------------------------------------------------------------------------------
  # Schema normalisation: every index gets the same attributes so the rest of the module never
  # needs try(). flatten([x]) turns a missing/null list into [null] (filtered out) and avoids
  # conditionals over user tuples, which fail in Terraform 1.0 when index objects differ in shape.
  # ---------------------------------------------------------------------------------------------
  hash_key  = { name = var.schema.hash_key.name, type = var.schema.hash_key.type }
  range_key = try(var.schema.range_key, null) == null ? null : { name = var.schema.range_key.name, type = var.schema.range_key.type }

  gsis = [
    for g in flatten([try(var.schema.global_secondary_indexes, [])]) : {
      name               = g.name
      hash_key           = { name = g.hash_key.name, type = g.hash_key.type }
      range_key          = try(g.range_key, null) == null ? null : { name = g.range_key.name, type = g.range_key.type }
      projection_type    = try(g.projection_type, null) == null ? "ALL" : g.projection_type
      non_key_attributes = [for a in flatten([try(g.non_key_attributes, [])]) : tostring(a) if a != null]
      # 0 or 1 element each, for dynamic blocks (hashicorp/aws 6.x; the 3.39 double strips them).
      warm_throughput      = [for w in [try(g.warm_throughput, null)] : { read = try(w.read_units_per_second, null), write = try(w.write_units_per_second, null) } if w != null]
      on_demand_throughput = [for o in [try(g.on_demand_throughput, null)] : { read = try(o.max_read_request_units, null), write = try(o.max_write_request_units, null) } if o != null]
    } if g != null
  ]
  lsis = [
    for l in flatten([try(var.schema.local_secondary_indexes, [])]) : {
      name               = l.name
      range_key          = { name = l.range_key.name, type = l.range_key.type }
      projection_type    = try(l.projection_type, null) == null ? "ALL" : l.projection_type
      non_key_attributes = [for a in flatten([try(l.non_key_attributes, [])]) : tostring(a) if a != null]
    } if l != null
  ]
  gsi_names = [for g in local.gsis : g.name]

  # Attribute definitions: every key of the table and its indexes, once (validation guarantees one
  # type per name). DynamoDB rejects definitions that no key uses, so nothing else goes in here.
  key_attributes = concat(
    [local.hash_key],
    local.range_key == null ? [] : [local.range_key],
    flatten([for g in local.gsis : g.range_key == null ? [g.hash_key] : [g.hash_key, g.range_key]]),
    [for l in local.lsis : l.range_key],
  )
  attributes = { for name, types in { for a in local.key_attributes : a.name => a.type... } : name => types[0] }

  ttl_attribute = try(var.schema.ttl_attribute, null)

  stream_enabled = var.stream_view_type != null

  # ---------------------------------------------------------------------------------------------
  # Cross-input rules. Terraform 1.0 validation blocks may only read their own variable, so these
  # fail the plan with tobool("<message>"): Terraform prints the message inside its
  # "cannot convert ... to bool" error.
  #
  # Each rule is a conditional whose condition is known at plan time (a bool input, list lengths,
  # map keys) and reads a value that may be unknown (a key ARN created in the same plan) only in
  # the branch that is an error anyway, so the checks stay known wherever the caller is right.
  # ---------------------------------------------------------------------------------------------
  checks = concat(
    [
      local.sse_enabled ? true : (var.sse_kms_key_arn == null ? true : tobool("Invalid sse_kms_key_arn: a customer-managed key needs sse_enabled = true; set sse_enabled = true or sse_kms_key_arn = null.")),
      length(local.replica_regions) > 0 && var.stream_view_type != "NEW_AND_OLD_IMAGES" ? tobool("Invalid replica_regions: global-table replicas need stream_view_type = \"NEW_AND_OLD_IMAGES\"; set it or remove the replicas.") : true,
      length(setsubtract(keys(local.replica_kms_key_arns), local.replica_regions)) > 0 ? tobool("Invalid replica_kms_key_arns: every key must also be listed in replica_regions; add the region or remove its key ARN.") : true,
    ],
    local.schema_checks,
    local.index_checks,
    local.tag_checks,
    local.feature_checks,
    # On AWS a replica in the provider's own region fails only after the table was created, leaving
    # it half-made in state; the provider's region is known at plan time, so stop here instead.
    [for r in local.replica_regions : tobool("Invalid replica_regions of table '${var.name}': ${r} is the provider's own region, where the table itself is created; list only other regions (a replica is a copy elsewhere).") if r == data.aws_region.current.id],
  )

  # Rules that mirror what DynamoDB's CreateTable rejects (each proven against DynamoDB Local in
  # tests/conformance), with messages that name the table and the index. They live here rather than
  # in validation blocks because Terraform 1.0 validation messages cannot name anything.
  all_indexes = concat(
    [for g in local.gsis : merge(g, { kind = "global" })],
    [for l in local.lsis : merge(l, { kind = "local", hash_key = local.hash_key })],
  )
  index_names = [for i in local.all_indexes : i.name]
  projected   = [for i in local.all_indexes : { name = i.name, count = length(i.non_key_attributes) } if i.projection_type == "INCLUDE"]
  schema_checks = [
    (local.range_key == null ? false : local.range_key.name == local.hash_key.name) ? tobool("Invalid schema of table '${var.name}': range_key ${local.hash_key.name} has the same name as hash_key, and DynamoDB keys need two different attributes; rename the range key (e.g. sk), or remove it for a hash-only table.") : true,
    length(flatten([for p in local.projected : range(p.count)])) > 100 ? tobool("Invalid schema of table '${var.name}': its indexes project ${length(flatten([for p in local.projected : range(p.count)]))} non-key attributes in total (${join(", ", [for p in local.projected : "${p.name}: ${p.count}"])}); DynamoDB allows at most 100 summed over all indexes (one attribute in two indexes counts twice): project fewer, or use projection_type = \"ALL\".") : true,
  ]
  index_checks = concat(
    [for i in local.all_indexes : tobool("Invalid index name '${i.name}' in table '${var.name}': index names are 3-255 characters from [a-zA-Z0-9_.-]; rename it, e.g. by-student.") if !can(regex("^[a-zA-Z0-9_.-]{3,255}$", i.name))],
    [for n in distinct(local.index_names) : tobool("Invalid schema index names: table '${var.name}' has ${length([for m in local.index_names : m if m == n])} indexes named '${n}', but every global and local secondary index needs a unique name; rename all but one.") if length([for m in local.index_names : m if m == n]) > 1],
    [for i in local.all_indexes : tobool("Invalid schema: ${i.kind} secondary index '${i.name}' of table '${var.name}' uses ${i.hash_key.name} as both its hash and its range key; give its range_key another attribute.") if i.range_key == null ? false : i.range_key.name == i.hash_key.name],
    [for i in local.all_indexes : tobool("Invalid projection_type ${jsonencode(i.projection_type)} of index '${i.name}' in table '${var.name}': use \"ALL\" (default), \"KEYS_ONLY\" or \"INCLUDE\".") if !contains(["ALL", "KEYS_ONLY", "INCLUDE"], i.projection_type)],
    [for i in local.all_indexes : tobool("Invalid non_key_attributes of index '${i.name}' in table '${var.name}': list non_key_attributes only with projection_type = \"INCLUDE\", and at least one for an INCLUDE index.") if(i.projection_type == "INCLUDE") != (length(i.non_key_attributes) > 0)],
    [for i in local.all_indexes : tobool("Invalid non_key_attributes of index '${i.name}' in table '${var.name}': ${join(", ", distinct([for a in i.non_key_attributes : a if length([for b in i.non_key_attributes : b if b == a]) > 1]))} listed twice; list each attribute once.") if length(distinct(i.non_key_attributes)) != length(i.non_key_attributes)],
    [for i in local.all_indexes : tobool("Invalid non_key_attributes of index '${i.name}' in table '${var.name}': names of projected attributes are 1-255 characters; shorten ${join(", ", [for a in i.non_key_attributes : "'${substr(a, 0, 40)}...' (${length(a)})" if length(a) < 1 || length(a) > 255])}.") if length([for a in i.non_key_attributes : a if length(a) < 1 || length(a) > 255]) > 0],
  )

  # AWS's tag rules, on the tags the table and its alarms really get (the module's defaults included).
  tag_checks = concat(
    [length(local.tags) > 50 ? tobool("Invalid tags of table '${var.name}': it would carry ${length(local.tags)} tags (yours plus the module's Name, ManagedBy and TerraformModule), but AWS allows 50 per resource; drop ${length(local.tags) - 50}.") : true],
    [for k in keys(local.tags) : tobool("Invalid tags of table '${var.name}': tag key '${k}' starts with aws:, a prefix AWS reserves for its own tags; rename it.") if can(regex("^(?i)aws:", k))],
    [for k in keys(local.tags) : tobool("Invalid tags of table '${var.name}': tag key '${substr(k, 0, 40)}...' is ${length(k)} characters, but AWS allows 1-128; shorten it.") if length(k) < 1 || length(k) > 128],
    [for k, v in local.tags : tobool("Invalid tags of table '${var.name}': the value of tag '${k}' is ${length(v)} characters, but AWS allows at most 256; shorten it.") if length(v) > 256],
    [for k, v in local.tags : tobool("Invalid tags of table '${var.name}': tag '${k}' uses a character AWS does not allow in tags; use letters, digits, spaces and _ . : / = + - @ only.") if !can(regex("^[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*$", k)) || !can(regex("^[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*$", v))],
  )
}

# The provider's region, for the replica rule in local.checks (read from provider config, no API call).
data "aws_region" "current" {}

resource "aws_dynamodb_table" "this" {
  #checkov:skip=CKV2_AWS_16:Autoscaling is conditional on billing.mode, which checkov cannot evaluate statically: PROVISIONED tables always get target tracking for the table and every GSI (autoscaling.tf); PAY_PER_REQUEST tables scale on demand and need none.
  name         = var.name
  billing_mode = local.billing.mode
  hash_key     = local.hash_key.name
  range_key    = local.range_key == null ? null : local.range_key.name

  # Starting capacity only: Application Auto Scaling owns it afterwards (ignore_changes below).
  read_capacity  = local.provisioned ? local.capacity.read.min : null
  write_capacity = local.provisioned ? local.capacity.write.min : null

  # hashicorp/aws >= 4.59: DynamoDB refuses DeleteTable (so a destroy or a replacing plan fails)
  # until an apply switches this off. null means true.
  deletion_protection_enabled = var.deletion_protection_enabled == null ? true : var.deletion_protection_enabled
  table_class                 = var.table_class == null ? "STANDARD" : var.table_class

  # Caps on-demand request rates (a cost guard); ignored for PROVISIONED, which has capacity instead.
  dynamic "on_demand_throughput" {
    for_each = var.on_demand_throughput == null || local.provisioned ? [] : [var.on_demand_throughput]
    content {
      max_read_request_units  = try(on_demand_throughput.value.max_read_request_units, null)
      max_write_request_units = try(on_demand_throughput.value.max_write_request_units, null)
    }
  }

  dynamic "warm_throughput" {
    for_each = var.warm_throughput == null ? [] : [var.warm_throughput]
    content {
      read_units_per_second  = try(warm_throughput.value.read_units_per_second, null)
      write_units_per_second = try(warm_throughput.value.write_units_per_second, null)
    }
  }

  dynamic "attribute" {
    for_each = local.attributes
    content {
      name = attribute.key
      type = attribute.value
    }
  }

  dynamic "global_secondary_index" {
    for_each = local.gsis
    content {
      name               = global_secondary_index.value.name
      hash_key           = global_secondary_index.value.hash_key.name
      range_key          = global_secondary_index.value.range_key == null ? null : global_secondary_index.value.range_key.name
      projection_type    = global_secondary_index.value.projection_type
      non_key_attributes = global_secondary_index.value.projection_type == "INCLUDE" ? global_secondary_index.value.non_key_attributes : null
      # GSI capacity cannot be ignored per element (a set in the provider), so an existing GSI is
      # planned at its live capacity (autoscaling.tf): a plan never undoes autoscaling.
      read_capacity  = local.provisioned ? local.gsi_capacity[global_secondary_index.value.name].read : null
      write_capacity = local.provisioned ? local.gsi_capacity[global_secondary_index.value.name].write : null

      dynamic "warm_throughput" {
        for_each = global_secondary_index.value.warm_throughput
        content {
          read_units_per_second  = warm_throughput.value.read
          write_units_per_second = warm_throughput.value.write
        }
      }

      # Caps of an on-demand GSI; ignored for PROVISIONED, like the table's.
      dynamic "on_demand_throughput" {
        for_each = local.provisioned ? [] : global_secondary_index.value.on_demand_throughput
        content {
          max_read_request_units  = on_demand_throughput.value.read
          max_write_request_units = on_demand_throughput.value.write
        }
      }
    }
  }

  dynamic "local_secondary_index" {
    for_each = local.lsis
    content {
      name               = local_secondary_index.value.name
      range_key          = local_secondary_index.value.range_key.name
      projection_type    = local_secondary_index.value.projection_type
      non_key_attributes = local_secondary_index.value.projection_type == "INCLUDE" ? local_secondary_index.value.non_key_attributes : null
    }
  }

  # Always kept while schema.ttl_attribute is set: switching TTL off must send the attribute name
  # with enabled = false (UpdateTimeToLive needs it), and an in-place update keeps the table.
  dynamic "ttl" {
    for_each = local.ttl_attribute == null ? [] : [local.ttl_attribute]
    content {
      attribute_name = ttl.value
      enabled        = local.ttl_enabled
    }
  }

  stream_enabled   = local.stream_enabled
  stream_view_type = var.stream_view_type

  point_in_time_recovery {
    enabled = local.pitr
    # null keeps DynamoDB's default (35 days); only meaningful while PITR is on.
    recovery_period_in_days = local.pitr ? var.point_in_time_recovery_period_days : null
  }

  server_side_encryption {
    # Plainly the input, so it is known at plan time in every env (a plan that shows SSE as
    # "known after apply" fails the customer-managed-key check CKV_AWS_119).
    enabled = local.sse_enabled
    # alltrue(local.checks) is always true (a failing check stops the plan); referencing it makes
    # Terraform evaluate the checks. It sits on the key ARN, which is unknown anyway whenever the
    # key is created in the same plan, so the checks can never turn `enabled` unknown.
    kms_key_arn = alltrue(local.checks) ? var.sse_kms_key_arn : null
  }

  dynamic "replica" {
    for_each = local.replica_regions
    content {
      region_name = replica.value
      kms_key_arn = lookup(local.replica_kms_key_arns, replica.value, null)
      # A replica is a full copy: it gets the table's protection, backups and tags. null: as the table.
      deletion_protection_enabled = var.deletion_protection_enabled == null ? true : var.deletion_protection_enabled
      point_in_time_recovery      = var.replica_point_in_time_recovery == null ? local.pitr : var.replica_point_in_time_recovery
      propagate_tags              = var.replica_propagate_tags == null ? true : var.replica_propagate_tags
      # null: EVENTUAL (DynamoDB's default); STRONG is checked in local.feature_checks.
      consistency_mode = var.replica_consistency_mode
    }
  }

  dynamic "global_table_witness" {
    for_each = var.global_table_witness_region == null ? [] : [var.global_table_witness_region]
    content {
      region_name = global_table_witness.value
    }
  }

  # Create the table as a restore (read only at creation; ignore_changes below keeps a later edit
  # from replacing the table).
  restore_backup_arn       = try(var.restore.backup_arn, null)
  restore_source_name      = try(var.restore.source_name, null)
  restore_source_table_arn = try(var.restore.source_table_arn, null)
  restore_date_time        = try(var.restore.date_time, null)
  restore_to_latest_time   = try(var.restore.to_latest_time, null)

  # Create the table from a DynamoDB export, CSV or ION files in S3 (ImportTable). Only read when
  # the table is created; the keys and indexes above must match the data.
  dynamic "import_table" {
    for_each = var.import_table == null ? [] : [var.import_table]
    content {
      input_format           = import_table.value.input_format
      input_compression_type = try(import_table.value.input_compression_type, null)

      s3_bucket_source {
        bucket       = import_table.value.s3_bucket_source.bucket
        bucket_owner = try(import_table.value.s3_bucket_source.bucket_owner, null)
        key_prefix   = try(import_table.value.s3_bucket_source.key_prefix, null)
      }

      dynamic "input_format_options" {
        for_each = try(import_table.value.input_format_options.csv, null) == null ? [] : [import_table.value.input_format_options.csv]
        content {
          csv {
            delimiter   = try(input_format_options.value.delimiter, null)
            header_list = try(input_format_options.value.header_list, null)
          }
        }
      }
    }
  }

  tags = local.tags

  dynamic "timeouts" {
    for_each = var.timeouts == null ? [] : [var.timeouts]
    content {
      create = try(timeouts.value.create, null)
      update = try(timeouts.value.update, null)
      delete = try(timeouts.value.delete, null)
    }
  }

  lifecycle {
    # Autoscaling changes table capacity outside Terraform; without this every plan would undo it.
    # import_table and restore_* are read only at creation and force a new table in the provider:
    # a later edit is ignored here, so it can never replace (and empty) an existing table.
    ignore_changes = [read_capacity, write_capacity, import_table, restore_backup_arn, restore_source_name, restore_source_table_arn, restore_date_time, restore_to_latest_time]
  }
}
