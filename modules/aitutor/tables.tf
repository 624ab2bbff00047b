# The AI Tutor table family (seed 002) in one place: keys, indexes, TTL and stream of every table.
#
# Table names are a contract with application code: keep them exact. Attribute names are the
# seed's camelCase; every timestamp is Unix epoch seconds, type N. Every table streams
# NEW_AND_OLD_IMAGES (seed: "Enabled on all tables", for Lambda triggers, replicas, analytics).
locals {
  stream_view_type = "NEW_AND_OLD_IMAGES"

  tables = {
    # --- people ----------------------------------------------------------------------------------
    users = {
      name = "aitutor_users"
      schema = {
        hash_key = { name = "userId", type = "S" }
        global_secondary_indexes = [
          { name = "email-index", hash_key = { name = "email", type = "S" } },
        ]
      }
    }
    educators = {
      name = "aitutor_educators"
      schema = {
        hash_key = { name = "educatorId", type = "S" }
        global_secondary_indexes = [
          { name = "userId-index", hash_key = { name = "userId", type = "S" } },
        ]
      }
    }
    students = {
      name = "aitutor_students"
      schema = {
        hash_key = { name = "studentId", type = "S" }
        global_secondary_indexes = [
          { name = "userId-index", hash_key = { name = "userId", type = "S" } },
        ]
      }
    }

    # --- organisation (reference data) -----------------------------------------------------------
    departments = {
      name   = "aitutor_departments"
      schema = { hash_key = { name = "departmentId", type = "S" } }
    }
    campuses = {
      name   = "aitutor_campuses"
      schema = { hash_key = { name = "campusId", type = "S" } }
    }
    faculties = {
      name   = "aitutor_faculties"
      schema = { hash_key = { name = "facultyId", type = "S" } }
    }

    # --- teaching --------------------------------------------------------------------------------
    courses = {
      name = "aitutor_courses"
      schema = {
        hash_key = { name = "courseId", type = "S" }
        global_secondary_indexes = [
          # Keyed on departmentId as documented; the seed's example item wrote department_id,
          # which this index would never see: course items must carry departmentId.
          { name = "departmentId-index", hash_key = { name = "departmentId", type = "S" } },
        ]
      }
    }
    modules = {
      name = "aitutor_modules"
      schema = {
        hash_key = { name = "moduleId", type = "S" }
        global_secondary_indexes = [
          { name = "courseId-index", hash_key = { name = "courseId", type = "S" } },
        ]
      }
    }
    files = {
      name = "aitutor_files"
      schema = {
        hash_key = { name = "fileId", type = "S" }
        global_secondary_indexes = [
          { name = "moduleId-index", hash_key = { name = "moduleId", type = "S" } },
          { name = "uploaderId-index", hash_key = { name = "uploaderId", type = "S" } },
        ]
      }
    }

    # --- chat and audit --------------------------------------------------------------------------
    chat_sessions = {
      name = "aitutor_chat_sessions"
      schema = {
        hash_key = { name = "sessionId", type = "S" }
        global_secondary_indexes = [
          { name = "userId-index", hash_key = { name = "userId", type = "S" } },
        ]
        ttl_attribute = "expiresAt" # 30 days
      }
    }
    chat_messages = {
      name = "aitutor_chat_messages"
      schema = {
        hash_key  = { name = "sessionId", type = "S" }
        range_key = { name = "messageId", type = "S" } # time-ordered ids (ULID): conversation order
      }
    }
    audit_logs = {
      name = "aitutor_audit_logs"
      schema = {
        hash_key = { name = "logId", type = "S" }
        global_secondary_indexes = [
          { name = "userId-timestamp-index", hash_key = { name = "userId", type = "S" }, range_key = { name = "timestamp", type = "N" } },
        ]
        ttl_attribute = "expiresAt" # 1 year
      }
    }
  }
}
