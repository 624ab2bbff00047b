# Terraform-managed items for small reference sets that must be reviewed in plans (rubrics,
# departments, campuses). One aws_dynamodb_table_item per item, keyed by a stable key, so a plan
# shows exactly which item changes. Bulk and demo data go through the loader (`tablekit seed`):
# Terraform makes one API call per item on apply and re-reads every item on every plan.
#
# Items come as plain objects (the seed_data/ format, minus sets) or as DynamoDB JSON strings. HCL has no
# recursion, so plain objects are converted level by level: every distinct value at each depth is
# keyed by its JSON text, and each level's encoding looks the level below up by that text.

locals {
  is_plain = { for key, item in var.items : key => substr(jsonencode(item), 0, 1) == "{" }

  # JSON text of every value at depth 1 (attribute values), 2 (their elements) and 3 (elements of those).
  level1 = distinct(flatten([
    for key, item in var.items : [for value in item : jsonencode(value)] if local.is_plain[key]
  ]))
  level2 = distinct(flatten([for text in local.level1 : local.children[text]]))
  level3 = distinct(flatten([for text in local.level2 : local.children2[text]]))

  # A container is a map or list; a one-key object {"$binary": "..."} is a tag, not a map ($set is
  # rejected by variables.tf, see there why).
  container1 = { for text in local.level1 : text => contains(["{", "["], substr(text, 0, 1)) && !contains(["$set", "$binary"], try(join(",", keys(jsondecode(text))), "")) }
  container2 = { for text in local.level2 : text => contains(["{", "["], substr(text, 0, 1)) && !contains(["$set", "$binary"], try(join(",", keys(jsondecode(text))), "")) }
  children   = { for text in local.level1 : text => local.container1[text] ? [for v in jsondecode(text) : jsonencode(v)] : [] }
  children2  = { for text in local.level2 : text => local.container2[text] ? [for v in jsondecode(text) : jsonencode(v)] : [] }
  # Depth 3 holds atoms only (variables.tf rejects deeper plain items).
  is_container = merge({ for text in local.level3 : text => false }, local.container2, local.container1)
  tag_of = {
    for text in keys(local.is_container) : text => try(join(",", keys(jsondecode(text))), "") if substr(text, 0, 1) == "{"
  }

  # Scalars and binary tags, at any depth.
  atom = {
    for text in keys(local.is_container) : text => (
      substr(text, 0, 1) == "\"" ? "{\"S\":${text}}" :
      contains(["true", "false"], text) ? "{\"BOOL\":${text}}" :
      text == "null" ? "{\"NULL\":true}" :
      lookup(local.tag_of, text, "") == "$binary" ? "{\"B\":${jsonencode(jsondecode(text)["$binary"])}}" :
      "{\"N\":\"${text}\"}"
    ) if !local.is_container[text]
  }

  # Depth 2 values: atoms, or maps/lists of depth 3 atoms.
  encoded2 = {
    for text in local.level2 : text => (
      !local.is_container[text] ? local.atom[text] :
      substr(text, 0, 1) == "{" ? format("{\"M\":{%s}}", join(",", [
        for name, value in jsondecode(text) : "${jsonencode(name)}:${local.atom[jsonencode(value)]}"
      ])) :
      format("{\"L\":[%s]}", join(",", [for value in jsondecode(text) : local.atom[jsonencode(value)]]))
    )
  }

  # Depth 1 values (attributes): atoms, or maps/lists of depth 2 values.
  encoded1 = {
    for text in local.level1 : text => (
      !local.is_container[text] ? local.atom[text] :
      substr(text, 0, 1) == "{" ? format("{\"M\":{%s}}", join(",", [
        for name, value in jsondecode(text) : "${jsonencode(name)}:${local.encoded2[jsonencode(value)]}"
      ])) :
      format("{\"L\":[%s]}", join(",", [for value in jsondecode(text) : local.encoded2[jsonencode(value)]]))
    )
  }

  # Stable key => DynamoDB JSON of the item (strings pass through untouched).
  item_json = merge(
    {
      for key, item in var.items :
      key => format("{%s}", join(",", [for name, value in item : "${jsonencode(name)}:${local.encoded1[jsonencode(value)]}"]))
      if local.is_plain[key]
    },
    { for key, item in var.items : key => item if !local.is_plain[key] },
  )

  # Attribute names of each item, to check the key attributes are there before anything is applied.
  attribute_names = { for key, json in local.item_json : key => keys(jsondecode(json)) }
  missing_keys = sort([
    for key, names in local.attribute_names : key
    if !contains(names, var.hash_key) || (var.range_key != null && !contains(names, coalesce(var.range_key, "-")))
  ])
  # Terraform 1.0 has no preconditions; converting the message to bool fails the plan with the message.
  keys_present = length(local.missing_keys) == 0 ? true : tobool(
    "items ${join(", ", local.missing_keys)} lack the key attribute(s) ${var.range_key == null ? var.hash_key : "${var.hash_key} and ${coalesce(var.range_key, "-")}"}: add them to each item"
  )
}

resource "aws_dynamodb_table_item" "this" {
  for_each = local.keys_present ? local.item_json : {}

  table_name = var.table_name
  hash_key   = var.hash_key
  range_key  = var.range_key
  item       = each.value
}
