variable "table_name" {
  description = "Name of the existing table the items go into (pass the table module's `name` output, so the items depend on the table)."
  type        = string

  validation {
    condition     = can(regex("^[a-zA-Z0-9_.-]{3,255}$", var.table_name))
    error_message = "The table_name must be 3-255 characters of a-z, A-Z, 0-9, '_', '-' and '.': pass the table module's name output."
  }
}

variable "hash_key" {
  description = "Name of the table's partition (hash) key attribute; every item must contain it."
  type        = string

  validation {
    condition     = length(var.hash_key) > 0
    error_message = "The hash_key must be the name of the table's partition key attribute, e.g. \"rubric_id\"."
  }
}

variable "range_key" {
  description = "Name of the table's sort (range) key attribute, or null when the table has none; every item must contain it."
  type        = string
  default     = null

  validation {
    condition     = var.range_key == null ? true : length(var.range_key) > 0
    error_message = "The range_key must be null (no sort key) or the name of the table's sort key attribute, not \"\"."
  }
}

variable "items" {
  description = <<-EOT
    Map of stable key => item. Each item is either a plain object (plain JSON as in seed_data/: strings,
    numbers, booleans, null, {"$binary" = "<base64>"}, lists and maps; at most three bracket levels
    counting the item; no sets, see README) or a string holding DynamoDB JSON (verbatim, any depth). Use the item's own key as
    the stable key (e.g. "speaking-fluency"): renaming a stable key destroys and recreates the item.
    At most 1000 items: bigger sets belong to the bulk loader (`tablekit seed`).
  EOT
  type        = any

  validation {
    condition     = can(keys(var.items))
    error_message = "The items must be a map of stable key => item, e.g. { \"speaking-fluency\" = { rubric_id = \"speaking-fluency\", ... } }."
  }

  validation {
    condition     = can(keys(var.items)) ? length(keys(var.items)) <= 1000 : true
    error_message = "The items map holds more than 1000 items: Terraform refreshes every item on every plan, so load big sets with the bulk loader (`tablekit seed`, see modules/dynamodb-items/README.md)."
  }

  validation {
    condition = can(keys(var.items)) ? alltrue([
      for k, item in var.items : length(trimspace(k)) > 0 && contains(["{", "\""], substr(jsonencode(item), 0, 1))
    ]) : true
    error_message = "Every item must be an object (plain JSON) or a string (DynamoDB JSON), under a non-empty stable key."
  }

  validation {
    # DynamoDB JSON strings must decode to an object whose every value is a typed AttributeValue.
    condition = can(keys(var.items)) ? alltrue([
      for k, item in var.items : substr(jsonencode(item), 0, 1) != "\"" ? true : try(alltrue([
        for name, value in jsondecode(item) : length(keys(value)) == 1 && contains(["S", "N", "B", "BOOL", "NULL", "M", "L", "SS", "NS", "BS"], keys(value)[0])
      ]), false)
    ]) : true
    error_message = "A string item must be DynamoDB JSON: an object whose every attribute is typed, e.g. jsonencode({ rubric_id = { S = \"speaking-fluency\" }, level = { N = \"7\" } })."
  }

  validation {
    # Plain items nest at most three bracket levels, the item itself included (HCL has no recursion,
    # so main.tf spells the converter out per level). After blanking strings, deleting the innermost
    # brackets three times must leave nothing. A $binary tag object counts as a level.
    condition = can(keys(var.items)) ? alltrue([
      for k, item in var.items : substr(jsonencode(item), 0, 1) != "{" ? true : replace(replace(replace(
        replace(jsonencode(item), "/\"(?:[^\"\\\\]|\\\\.)*\"/", "\"\""),
      "/[\\[{][^\\[\\]{}]*[\\]}]/", ""), "/[\\[{][^\\[\\]{}]*[\\]}]/", ""), "/[\\[{][^\\[\\]{}]*[\\]}]/", "") == ""
    ]) : true
    error_message = "A plain item nests deeper than three bracket levels (item, attribute map/list, inner map/list; a $binary tag counts as one): pass that item as a DynamoDB JSON string, or load it with the bulk loader (`tablekit seed`)."
  }

  validation {
    # The provider compares item JSON order-sensitively, and DynamoDB returns set elements in any order,
    # so a set would show a change on every plan. Matches "$set" as a key and SS/NS/BS as a type.
    condition = can(keys(var.items)) ? alltrue([
      for k, item in var.items : (
        substr(jsonencode(item), 0, 1) == "\""
        ? length(regexall("\"(SS|NS|BS)\"\\s*:", try(tostring(item), ""))) == 0
        : length(regexall("\"\\$set\":", jsonencode(item))) == 0
      )
    ]) : true
    error_message = "Sets ({\"$set\" = [...]}, SS/NS/BS) cannot be Terraform items: DynamoDB returns set elements in any order and the provider would show a change on every plan. Use a list, or load the item with the bulk loader (`tablekit seed`)."
  }
}
