"""AI Tutor access patterns (seed 002): user, module, file, audit and chat lookups.

Table names come from `app_config` (modules/aitutor: `AITUTOR_<LOGICAL_KEY>_TABLE`, e.g.
AITUTOR_USERS_TABLE). Attribute names are camelCase as in the seed; timestamps are Unix epoch
seconds (Number).
"""

from __future__ import annotations

from typing import Any

from tablekit.access_patterns import AppConfig, Item, get_item, query, registry, table_name


def _env(logical: str) -> str:
    return f"AITUTOR_{logical.upper()}_TABLE"


def _by_id(db: Any, config: AppConfig, logical: str, key: str, value: str) -> Item | None:
    return get_item(db, table_name(config, _env(logical)), {key: value})


def _by_index(db: Any, config: AppConfig, logical: str, index: str, key: str, value: str) -> list[Item]:
    return query(db, table_name(config, _env(logical)), "#k = :v", {"#k": key}, {":v": value}, index=index)


# --- user lookups ------------------------------------------------------------------------------------


def get_user(db: Any, config: AppConfig, user_id: str) -> Item | None:
    """A user (admin, educator or student) by userId."""
    return _by_id(db, config, "users", "userId", user_id)


def user_by_email(db: Any, config: AppConfig, email: str) -> Item | None:
    """A user by email, for sign-in (GSI email-index; emails are unique, so at most one item)."""
    found = _by_index(db, config, "users", "email-index", "email", email)
    return found[0] if found else None


def get_educator(db: Any, config: AppConfig, educator_id: str) -> Item | None:
    """An educator profile by educatorId."""
    return _by_id(db, config, "educators", "educatorId", educator_id)


def educator_by_user(db: Any, config: AppConfig, user_id: str) -> Item | None:
    """The educator profile of a signed-in user (GSI userId-index)."""
    found = _by_index(db, config, "educators", "userId-index", "userId", user_id)
    return found[0] if found else None


def get_student(db: Any, config: AppConfig, student_id: str) -> Item | None:
    """A student profile by studentId."""
    return _by_id(db, config, "students", "studentId", student_id)


def student_by_user(db: Any, config: AppConfig, user_id: str) -> Item | None:
    """The student profile of a signed-in user (GSI userId-index)."""
    found = _by_index(db, config, "students", "userId-index", "userId", user_id)
    return found[0] if found else None


# --- organisation reference data -----------------------------------------------------------------------


def get_campus(db: Any, config: AppConfig, campus_id: str) -> Item | None:
    """A campus by campusId."""
    return _by_id(db, config, "campuses", "campusId", campus_id)


def get_faculty(db: Any, config: AppConfig, faculty_id: str) -> Item | None:
    """A faculty by facultyId."""
    return _by_id(db, config, "faculties", "facultyId", faculty_id)


def get_department(db: Any, config: AppConfig, department_id: str) -> Item | None:
    """A department by departmentId."""
    return _by_id(db, config, "departments", "departmentId", department_id)


def get_course(db: Any, config: AppConfig, course_id: str) -> Item | None:
    """A course by courseId."""
    return _by_id(db, config, "courses", "courseId", course_id)


def courses_by_department(db: Any, config: AppConfig, department_id: str) -> list[Item]:
    """A department's courses (GSI departmentId-index, keyed on the camelCase `departmentId`)."""
    return _by_index(db, config, "courses", "departmentId-index", "departmentId", department_id)


# --- modules and files -------------------------------------------------------------------------------


def get_module(db: Any, config: AppConfig, module_id: str) -> Item | None:
    """A module by moduleId."""
    return _by_id(db, config, "modules", "moduleId", module_id)


def modules_by_course(db: Any, config: AppConfig, course_id: str) -> list[Item]:
    """All modules of a course (GSI courseId-index)."""
    return _by_index(db, config, "modules", "courseId-index", "courseId", course_id)


def get_file(db: Any, config: AppConfig, file_id: str) -> Item | None:
    """File metadata by fileId."""
    return _by_id(db, config, "files", "fileId", file_id)


def files_by_module(db: Any, config: AppConfig, module_id: str) -> list[Item]:
    """Files attached to a module (GSI moduleId-index)."""
    return _by_index(db, config, "files", "moduleId-index", "moduleId", module_id)


def uploads_by_user(db: Any, config: AppConfig, uploader_id: str) -> list[Item]:
    """Files a user uploaded (GSI uploaderId-index)."""
    return _by_index(db, config, "files", "uploaderId-index", "uploaderId", uploader_id)


# --- chat and audit ----------------------------------------------------------------------------------


def get_chat_session(db: Any, config: AppConfig, session_id: str) -> Item | None:
    """A chat session by sessionId."""
    return _by_id(db, config, "chat_sessions", "sessionId", session_id)


def chat_sessions_by_user(db: Any, config: AppConfig, user_id: str) -> list[Item]:
    """A user's chat sessions (GSI userId-index)."""
    return _by_index(db, config, "chat_sessions", "userId-index", "userId", user_id)


def chat_messages(db: Any, config: AppConfig, session_id: str) -> list[Item]:
    """The messages of one chat session in conversation order.

    messageId is the sort key, so ids must sort by time: the seed data uses ULIDs.
    """
    return query(db, table_name(config, _env("chat_messages")), "#s = :s", {"#s": "sessionId"}, {":s": session_id})


def audit_logs_for_user(db: Any, config: AppConfig, user_id: str, limit: int | None = None) -> list[Item]:
    """A user's audit trail, most recent first (GSI userId-timestamp-index, reverse sort)."""
    return query(
        db,
        table_name(config, _env("audit_logs")),
        "#u = :u",
        {"#u": "userId"},
        {":u": user_id},
        index="userId-timestamp-index",
        newest_first=True,
        limit=limit,
    )


PATTERNS = registry(
    get_user,
    user_by_email,
    get_educator,
    educator_by_user,
    get_student,
    student_by_user,
    get_campus,
    get_faculty,
    get_department,
    get_course,
    courses_by_department,
    get_module,
    modules_by_course,
    get_file,
    files_by_module,
    uploads_by_user,
    get_chat_session,
    chat_sessions_by_user,
    chat_messages,
    audit_logs_for_user,
)
