# The BandUp table family (seed 000) in one place: keys, indexes, TTL and stream of every table.
#
# Table names are a contract with the Lambda functions (DYNAMODB_* variables): keep them exact.
# Every timestamp (created_at) is Unix epoch seconds, type N.
locals {
  tables = {
    # Writing + Speaking Evaluator results.
    evaluations = {
      name = "bandup-evaluations"
      schema = {
        hash_key  = { name = "evaluation_id", type = "S" }
        range_key = { name = "user_id", type = "S" }
        global_secondary_indexes = [
          # Not in the seed's create-table commands, but its history query uses it: added.
          {
            name      = "user_id-created_at-index"
            hash_key  = { name = "user_id", type = "S" }
            range_key = { name = "created_at", type = "N" }
          },
        ]
      }
      stream_view_type = null
    }

    # Flashcard Generator results.
    flashcard_sets = {
      name = "bandup-flashcard-sets"
      schema = {
        hash_key  = { name = "set_id", type = "S" }
        range_key = { name = "user_id", type = "S" }
        global_secondary_indexes = [
          # The seed's "get user's flashcard sets" queried user_id, which is only the sort key of
          # the table: it cannot work without this index.
          {
            name      = "user_id-created_at-index"
            hash_key  = { name = "user_id", type = "S" }
            range_key = { name = "created_at", type = "N" }
          },
        ]
      }
      stream_view_type = null
    }
  }
}
