# The university table family (seed 004): one single-table design, so one entry.
#
# Key shapes (README "Data model"): course#<id>/metadata, course#<id>/student#<id> (roster, TTL),
# course#<id>/<date>#assignment#<id>, assignment#<id>/student#<id> (submission, grade),
# instructor#<id>/metadata, user#<id>/profile, user#<id>/<date>#order#<id>,
# user#<id>/session#<id> (TTL), order#<id>/txn#<timestamp>#<id>, agg#<kind>#<id>/summary (the
# stream processor's aggregates). Every expiry is `expiresAt`, Unix epoch seconds, type N.
locals {
  tables = {
    university = {
      name = "university"
      schema = {
        hash_key  = { name = "pk", type = "S" }
        range_key = { name = "sk", type = "S" }
        global_secondary_indexes = [
          # Seed query "Get a specific student by ID": every item carrying studentID (roster
          # entries, submissions, the user profile), ordered by the table sort key.
          {
            name      = "studentID-index"
            hash_key  = { name = "studentID", type = "S" }
            range_key = { name = "sk", type = "S" }
          },
          # Seed query "Query courses by date range". Sparse: only courses carry courseDate
          # (ISO date), so the low-cardinality hash key (entityType) holds a small catalogue.
          {
            name      = "entityType-courseDate-index"
            hash_key  = { name = "entityType", type = "S" }
            range_key = { name = "courseDate", type = "S" }
          },
        ]
        ttl_attribute = "expiresAt"
      }
      # The stream processor needs both images: its deltas are contribution(new) - contribution(old).
      stream_view_type = "NEW_AND_OLD_IMAGES"
    }
  }
}
