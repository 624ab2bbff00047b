# The IELTS GenAI Prep table family in one place: keys, indexes, TTL and stream of every table.
#
# Sources: seed 001 (11 documented tables) and seed 003 (the audit of the 19 tables that really
# exist in AWS). Table names are a contract with application code: keep them exact.
#  - rubrics use the name AWS has, ielts-genai-prep-rubrics (001 and the DAL said ielts-assessment-rubrics);
#  - ai_safety_logs and content_reports (documented, absent from AWS) have `phantom = true` and exist
#    only with enable_phantom_tables = true;
#  - qr_tokens is documented but missing from the audit's list: kept, QR login reads it;
#  - the 11 tables only the audit lists have keys designed here (see README, "Designed tables").
# Every timestamp is Unix epoch seconds, type N. "*_email"/"user_id" hold the user's email.
locals {
  all_tables = {
    # --- users, sessions, tokens ---------------------------------------------------------------
    users = {
      name   = "ielts-genai-prep-users"
      schema = { hash_key = { name = "email", type = "S" } }
    }
    sessions = {
      name = "ielts-genai-prep-sessions"
      schema = {
        hash_key = { name = "session_id", type = "S" }
        global_secondary_indexes = [
          { name = "user_email-created_at-index", hash_key = { name = "user_email", type = "S" }, range_key = { name = "created_at", type = "N" } },
        ]
        ttl_attribute = "expires_at" # 24 hours after creation
      }
    }
    qr_tokens = {
      name = "ielts-genai-prep-qr-tokens"
      schema = {
        hash_key      = { name = "token", type = "S" }
        ttl_attribute = "expires_at" # 5 minutes after creation, one-time use
      }
    }
    auth_tokens = { # designed: email-verification / OAuth tokens, looked up by the token in the link
      name = "ielts-genai-prep-auth-tokens"
      schema = {
        hash_key      = { name = "token", type = "S" }
        ttl_attribute = "expires_at" # 24 hours after creation
      }
    }
    reset_tokens = { # designed: password-reset tokens, looked up by the token in the link
      name = "ielts-genai-prep-reset-tokens"
      schema = {
        hash_key      = { name = "token", type = "S" }
        ttl_attribute = "expires_at" # 1 hour after creation
      }
    }

    # --- purchases -------------------------------------------------------------------------------
    entitlements = {
      name = "ielts-genai-prep-entitlements"
      schema = {
        hash_key  = { name = "user_email", type = "S" }
        range_key = { name = "product_id", type = "S" }
        global_secondary_indexes = [
          { name = "user_email-expires_at-index", hash_key = { name = "user_email", type = "S" }, range_key = { name = "expires_at", type = "N" } },
          # The audit's duplicate-transaction check (workflow 2) needs a lookup by store transaction.
          { name = "transaction_id-index", hash_key = { name = "transaction_id", type = "S" } },
        ]
        # No TTL: expires_at ends access, but the purchase record stays (refunds, receipts).
      }
    }

    # --- assessments -----------------------------------------------------------------------------
    assessments = {
      name = "ielts-genai-prep-assessments"
      schema = {
        hash_key  = { name = "assessment_id", type = "S" }
        range_key = { name = "user_id", type = "S" }
        global_secondary_indexes = [
          { name = "user_id-created_at-index", hash_key = { name = "user_id", type = "S" }, range_key = { name = "created_at", type = "N" } },
          { name = "assessment_type-created_at-index", hash_key = { name = "assessment_type", type = "S" }, range_key = { name = "created_at", type = "N" } },
        ]
      }
    }
    questions = {
      name = "ielts-assessment-questions"
      schema = {
        hash_key  = { name = "question_id", type = "S" }
        range_key = { name = "assessment_type", type = "S" }
        global_secondary_indexes = [
          # Added: "fetch questions" (workflow 4) asks for one type's questions; the table key
          # starts with question_id, so without this index it would need a Scan.
          { name = "assessment_type-question_id-index", hash_key = { name = "assessment_type", type = "S" }, range_key = { name = "question_id", type = "S" } },
        ]
      }
    }
    rubrics = {
      name   = "ielts-genai-prep-rubrics"
      schema = { hash_key = { name = "rubric_id", type = "S" } }
    }

    # --- AI support and DevOps agents ------------------------------------------------------------
    support_tickets = {
      name = "ielts-support-tickets"
      schema = {
        hash_key  = { name = "ticket_id", type = "S" }
        range_key = { name = "created_at", type = "N" }
        global_secondary_indexes = [
          { name = "status-created_at-index", hash_key = { name = "status", type = "S" }, range_key = { name = "created_at", type = "N" } },
          { name = "priority-created_at-index", hash_key = { name = "priority", type = "S" }, range_key = { name = "created_at", type = "N" } },
          { name = "user_email-created_at-index", hash_key = { name = "user_email", type = "S" }, range_key = { name = "created_at", type = "N" } },
        ]
      }
    }
    devops_actions = {
      name = "ielts-devops-actions"
      schema = {
        hash_key  = { name = "action_id", type = "S" }
        range_key = { name = "timestamp", type = "N" }
        global_secondary_indexes = [
          { name = "status-timestamp-index", hash_key = { name = "status", type = "S" }, range_key = { name = "timestamp", type = "N" } },
          { name = "affected_service-timestamp-index", hash_key = { name = "affected_service", type = "S" }, range_key = { name = "timestamp", type = "N" } },
          { name = "ticket_id-timestamp-index", hash_key = { name = "ticket_id", type = "S" }, range_key = { name = "timestamp", type = "N" } },
        ]
      }
    }

    # --- reading / listening / mock tests (designed: in AWS, not in 001) --------------------------
    # Test metadata: one item per test; published tests are listed through the status index.
    reading_tests = {
      name = "ielts-reading-tests"
      schema = {
        hash_key = { name = "test_id", type = "S" }
        global_secondary_indexes = [
          { name = "status-created_at-index", hash_key = { name = "status", type = "S" }, range_key = { name = "created_at", type = "N" } },
        ]
      }
    }
    # Questions and answer keys: one partition per test, question_id zero-padded so the sort key
    # is paper order. Answers live in their own table so IAM can keep them away from the client.
    reading_questions = {
      name = "ielts-reading-questions"
      schema = {
        hash_key  = { name = "test_id", type = "S" }
        range_key = { name = "question_id", type = "S" }
      }
    }
    reading_answers = {
      name = "ielts-reading-answers"
      schema = {
        hash_key  = { name = "test_id", type = "S" }
        range_key = { name = "question_id", type = "S" }
      }
    }
    listening_tests = {
      name = "ielts-listening-tests"
      schema = {
        hash_key = { name = "test_id", type = "S" }
        global_secondary_indexes = [
          { name = "status-created_at-index", hash_key = { name = "status", type = "S" }, range_key = { name = "created_at", type = "N" } },
        ]
      }
    }
    listening_questions = {
      name = "ielts-listening-questions"
      schema = {
        hash_key  = { name = "test_id", type = "S" }
        range_key = { name = "question_id", type = "S" }
      }
    }
    listening_answers = {
      name = "ielts-listening-answers"
      schema = {
        hash_key  = { name = "test_id", type = "S" }
        range_key = { name = "question_id", type = "S" }
      }
    }
    full_tests = {
      name = "ielts-full-tests"
      schema = {
        hash_key = { name = "test_id", type = "S" }
        global_secondary_indexes = [
          { name = "status-created_at-index", hash_key = { name = "status", type = "S" }, range_key = { name = "created_at", type = "N" } },
        ]
      }
    }
    # One item per user and test being taken, so a test can be resumed; abandoned ones expire.
    test_progress = {
      name = "ielts-test-progress"
      schema = {
        hash_key      = { name = "user_email", type = "S" }
        range_key     = { name = "test_id", type = "S" }
        ttl_attribute = "expires_at" # 30 days after the last answer
      }
    }
    test_results = {
      name = "ielts-test-results"
      schema = {
        hash_key = { name = "result_id", type = "S" }
        global_secondary_indexes = [
          { name = "user_email-completed_at-index", hash_key = { name = "user_email", type = "S" }, range_key = { name = "completed_at", type = "N" } },
        ]
      }
    }

    # --- documented in 001, absent from AWS (003): only with enable_phantom_tables ----------------
    ai_safety_logs = {
      name    = "ielts-ai-safety-logs"
      phantom = true
      schema = {
        hash_key  = { name = "log_id", type = "S" }
        range_key = { name = "timestamp", type = "N" }
      }
    }
    content_reports = {
      name    = "ielts-content-reports"
      phantom = true
      schema = {
        hash_key  = { name = "report_id", type = "S" }
        range_key = { name = "created_at", type = "N" }
      }
    }
  }

  tables = { for key, table in local.all_tables : key => table if var.enable_phantom_tables || !try(table.phantom, false) }
}
