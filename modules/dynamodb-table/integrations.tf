# What a table can have besides itself (hashicorp/aws 6.x): a resource-based policy, Contributor
# Insights, a Kinesis streaming destination; and the rules of the 2026 inputs that span two inputs
# or the provider's Region. Every resource here is off by default (count/for_each 0 unless its
# input is set); the 3.39 double lacks the first two types, so staging drops them and lists them.

locals {
  region = data.aws_region.current.id
  strong = var.replica_consistency_mode == "STRONG"
  # The Regions of a strongly consistent global table: the table's, the replicas', the witness's.
  mrsc_regions = concat([local.region], local.replica_regions, var.global_table_witness_region == null ? [] : [var.global_table_witness_region])

  contributor_insights = var.contributor_insights == null ? {} : merge(
    try(var.contributor_insights.table, true) == false ? {} : { "table" = null },
    { for i in flatten([try(var.contributor_insights.indexes, [])]) : "index:${i}" => i if i != null },
  )

  # Rules DynamoDB enforces at CreateTable/UpdateTable, at plan time (README "DynamoDB features of
  # 2026" and "One schema object"); part of local.checks in main.tf.
  feature_checks = concat(
    [
      # CreateTable fails for a key of another Region; the ARN is known here unless the key is
      # created in the same plan (then the branch is unknown and the key comes from this Region).
      var.sse_kms_key_arn == null ? true : (split(":", var.sse_kms_key_arn)[3] == local.region ? true : tobool("Invalid sse_kms_key_arn of table '${var.name}': the key is in ${split(":", var.sse_kms_key_arn)[3]}, but the table is created in ${local.region} and DynamoDB only encrypts with a KMS key of the table's own Region; pass a key (or a multi-Region key's replica) from ${local.region}.")),
      var.global_table_witness_region != null && !local.strong ? tobool("Invalid global_table_witness_region of table '${var.name}': a witness only exists for replica_consistency_mode = \"STRONG\"; set it, or remove the witness.") : true,
      local.strong && length(local.mrsc_regions) != 3 ? tobool("Invalid replica_consistency_mode of table '${var.name}': STRONG needs exactly three Regions in all (the table's, replica_regions and an optional global_table_witness_region), not ${length(local.mrsc_regions)} (${join(", ", local.mrsc_regions)}); use two replicas, or one replica plus a witness.") : true,
      local.strong && length(distinct(local.mrsc_regions)) == 3 && length(distinct([for r in local.mrsc_regions : split("-", r)[0]])) > 1 ? tobool("Invalid replica_consistency_mode of table '${var.name}': the Regions of a STRONG global table must be in one Region set (all us-*, all eu-* or all ap-*), not ${join(", ", local.mrsc_regions)}; choose replicas and witness in the table's set.") : true,
      var.restore != null && var.import_table != null ? tobool("Invalid restore of table '${var.name}': a table is created from a restore or from import_table, not both; remove one of them.") : true,
      var.kinesis_streaming_destination == null ? true : (split(":", var.kinesis_streaming_destination.stream_arn)[3] == local.region ? true : tobool("Invalid kinesis_streaming_destination of table '${var.name}': the stream is in ${split(":", var.kinesis_streaming_destination.stream_arn)[3]}, but DynamoDB streams only to a Kinesis stream of the table's Region (${local.region}); use a stream there.")),
    ],
    [for r in local.replica_regions : tobool("Invalid global_table_witness_region of table '${var.name}': ${r} already holds a replica; a witness needs a Region of its own (not the table's, not a replica's).") if r == var.global_table_witness_region],
    [for w in [var.global_table_witness_region] : tobool("Invalid global_table_witness_region of table '${var.name}': ${w} is the provider's own Region, where the table is; choose a third Region.") if w == local.region],
    [for k, i in local.contributor_insights : tobool("Invalid contributor_insights.indexes of table '${var.name}': '${i}' is not one of its global secondary indexes (Contributor Insights covers a table and its GSIs); list names from schema.global_secondary_indexes.") if i != null && !contains(local.gsi_names, coalesce(i, "-"))],
    [for g in local.gsis : tobool("Invalid warm_throughput of index '${g.name}' in table '${var.name}': DynamoDB's minimums are 12000 read_units_per_second and 4000 write_units_per_second (whole numbers); raise them or leave warm_throughput out.") if length([for w in g.warm_throughput : w if !(try(w.read == null ? true : w.read >= 12000 && floor(w.read) == w.read, false) && try(w.write == null ? true : w.write >= 4000 && floor(w.write) == w.write, false))]) > 0],
    [for g in local.gsis : tobool("Invalid on_demand_throughput of index '${g.name}' in table '${var.name}': max_read_request_units and max_write_request_units are whole numbers >= 1, or -1 for no cap (DynamoDB rejects 0); fix the value.") if length([for o in g.on_demand_throughput : o if !alltrue([for v in [o.read, o.write] : try(v == null ? true : v == -1 || (v >= 1 && floor(v) == v), false)])]) > 0],
  )
}

resource "aws_dynamodb_resource_policy" "this" {
  count = var.resource_policy == null ? 0 : 1

  resource_arn = aws_dynamodb_table.this.arn
  policy       = var.resource_policy
}

resource "aws_dynamodb_contributor_insights" "this" {
  for_each = local.contributor_insights

  table_name = aws_dynamodb_table.this.name
  index_name = each.value
  mode       = try(var.contributor_insights.mode, null)
}

resource "aws_dynamodb_kinesis_streaming_destination" "this" {
  count = var.kinesis_streaming_destination == null ? 0 : 1

  table_name                               = aws_dynamodb_table.this.name
  stream_arn                               = var.kinesis_streaming_destination.stream_arn
  approximate_creation_date_time_precision = try(var.kinesis_streaming_destination.approximate_creation_date_time_precision, null)
}
