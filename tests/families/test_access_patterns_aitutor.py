"""AI Tutor access patterns (seed 002) against the applied local env with seed data loaded.

The ids below are the seed data's (the seed's "uuid" placeholders replaced by fixed UUIDs).
"""

from __future__ import annotations

import pytest
from families_support import require_seed_rows

from tablekit.access_patterns import aitutor

pytestmark = pytest.mark.apply

JOHN = "03be9731-9870-5b73-a19d-1c48b4770750"  # the seed's example user (John Doe, student)
MARIA = "b525e987-f052-515b-a859-82e8151097f1"
ADA = "e3b95b2f-33a8-5e6c-97e4-896a07b7d65d"  # educator, uploads files
ALAN = "c5c2c5eb-df67-5610-ad01-af1e5517c1c6"
GRACE = "93fe1ea7-a817-5b04-9db3-88276daaddbe"  # admin
EDUCATOR_ADA = "65cbcaba-3bac-5ff7-bd71-86b126f650b2"
STUDENT_JOHN = "61fdbd57-8963-5873-bb9a-662c8e6d33e3"
CAMPUS_MAIN = "80b967b8-90fa-5434-b0c8-1fa54d73c874"
FACULTY_ENGINEERING = "d3d42b5f-0f6c-59bf-8c3a-03efe793b57b"
DEPARTMENT_CS = "1a03e787-ea3a-5778-b268-b566598e6f79"
DEPARTMENT_ACC = "d3e5cfc1-6558-5c99-9e2c-f90e74dbc20c"
COURSE_CS = "19d0d077-f591-56d3-a7fd-69b62a2a511a"
COURSE_EE = "d6973887-4a20-54d3-a5dd-7f57eb3b59c9"
MODULE_CS201 = "0779e519-587f-57f0-8e82-2d9c070f5787"
FILE_NOTES = "35afc50a-4bb2-5fbe-bf72-8d47ed9bfeae"
CHAT_JOHN = "464bebe0-1277-5558-adff-662db18cf653"


@pytest.fixture(scope="module")
def config(local_env) -> dict[str, str]:
    """app_config of the local env, once a known seed row proves the seed data is loaded."""
    return require_seed_rows(local_env, "AITUTOR_USERS_TABLE", {"userId": JOHN})


def test_every_pattern_is_tested() -> None:
    assert {f"test_{name}" for name in aitutor.PATTERNS} <= set(globals())


def test_get_user(read_only_db, config) -> None:
    """The seed's example user, placeholders replaced."""
    user = aitutor.get_user(read_only_db, config, JOHN)
    assert user == {
        "userId": JOHN,
        "email": "user@example.com",
        "firstName": "John",
        "lastName": "Doe",
        "role": "student",
        "passwordHash": "bcrypt_hash",
        "status": "active",
        "createdAt": 1704067200,
        "updatedAt": 1704067200,
        "lastLogin": 1704067200,
        "cognito_id": "cognito_sub",
    }


def test_user_by_email(read_only_db, config) -> None:
    assert aitutor.user_by_email(read_only_db, config, "user@example.com")["userId"] == JOHN
    assert aitutor.user_by_email(read_only_db, config, "grace.hopper@university.edu")["role"] == "admin"
    assert aitutor.user_by_email(read_only_db, config, "nobody@university.edu") is None


def test_get_educator(read_only_db, config) -> None:
    educator = aitutor.get_educator(read_only_db, config, EDUCATOR_ADA)
    assert educator is not None and educator["staffNumber"] == "E12345"
    assert educator["specialization"] == ["AI", "ML", "Web Development"]


def test_educator_by_user(read_only_db, config) -> None:
    assert aitutor.educator_by_user(read_only_db, config, ADA)["educatorId"] == EDUCATOR_ADA
    assert aitutor.educator_by_user(read_only_db, config, JOHN) is None


def test_get_student(read_only_db, config) -> None:
    student = aitutor.get_student(read_only_db, config, STUDENT_JOHN)
    assert student is not None and (student["studentNumber"], student["gpa"]) == ("S98765", 3.85)


def test_student_by_user(read_only_db, config) -> None:
    assert aitutor.student_by_user(read_only_db, config, JOHN)["studentId"] == STUDENT_JOHN
    assert aitutor.student_by_user(read_only_db, config, MARIA)["studentNumber"] == "S98766"


def test_get_campus(read_only_db, config) -> None:
    campus = aitutor.get_campus(read_only_db, config, CAMPUS_MAIN)
    assert campus is not None and (campus["code"], campus["establishedYear"]) == ("MAIN", 1990)


def test_get_faculty(read_only_db, config) -> None:
    faculty = aitutor.get_faculty(read_only_db, config, FACULTY_ENGINEERING)
    assert faculty is not None and DEPARTMENT_CS in faculty["departments"]


def test_get_department(read_only_db, config) -> None:
    department = aitutor.get_department(read_only_db, config, DEPARTMENT_CS)
    assert department is not None and department["location"] == "Building A, Floor 3"


def test_get_course(read_only_db, config) -> None:
    assert aitutor.get_course(read_only_db, config, COURSE_CS)["code"] == "CSXX"


def test_courses_by_department(read_only_db, config) -> None:
    """departmentId-index sees courses because they carry departmentId (the seed example wrote department_id)."""
    assert [c["courseId"] for c in aitutor.courses_by_department(read_only_db, config, DEPARTMENT_CS)] == [COURSE_CS]
    assert aitutor.courses_by_department(read_only_db, config, DEPARTMENT_ACC) == []


def test_get_module(read_only_db, config) -> None:
    module = aitutor.get_module(read_only_db, config, MODULE_CS201)
    assert module is not None and (module["code"], module["enrolledCount"]) == ("CS201", 45)


def test_modules_by_course(read_only_db, config) -> None:
    assert {m["code"] for m in aitutor.modules_by_course(read_only_db, config, COURSE_CS)} == {"CS201", "CS101"}
    assert {m["code"] for m in aitutor.modules_by_course(read_only_db, config, COURSE_EE)} == {"EE110"}


def test_get_file(read_only_db, config) -> None:
    file = aitutor.get_file(read_only_db, config, FILE_NOTES)
    assert file is not None and file["fileName"] == "lecture-notes.pdf"
    assert "expiresAt" not in file  # the seed's null was omitted, not stored


def test_files_by_module(read_only_db, config) -> None:
    files = aitutor.files_by_module(read_only_db, config, MODULE_CS201)
    assert {f["fileName"] for f in files} == {"lecture-notes.pdf", "lab1-graph-search.ipynb"}


def test_uploads_by_user(read_only_db, config) -> None:
    assert len(aitutor.uploads_by_user(read_only_db, config, ADA)) == 3
    assert [f["fileName"] for f in aitutor.uploads_by_user(read_only_db, config, ALAN)] == ["ohms-law-worksheet.pdf"]
    assert aitutor.uploads_by_user(read_only_db, config, JOHN) == []


def test_get_chat_session(read_only_db, config) -> None:
    session = aitutor.get_chat_session(read_only_db, config, CHAT_JOHN)
    assert session is not None and session["title"] == "Questions about Module 5"
    assert "endTime" not in session


def test_chat_sessions_by_user(read_only_db, config) -> None:
    assert len(aitutor.chat_sessions_by_user(read_only_db, config, JOHN)) == 2
    assert len(aitutor.chat_sessions_by_user(read_only_db, config, MARIA)) == 1


def test_chat_messages(read_only_db, config) -> None:
    """A session's messages in conversation order: messageId is a time-ordered ULID."""
    messages = aitutor.chat_messages(read_only_db, config, CHAT_JOHN)
    assert [m["role"] for m in messages] == ["user", "assistant", "user"]
    assert [m["timestamp"] for m in messages] == sorted(m["timestamp"] for m in messages)
    assert messages[0]["embedding"] == [0.123, 0.456, 0.789]


def test_audit_logs_for_user(read_only_db, config) -> None:
    """The seed's audit trail: all logs of a user, most recent first (reverse sort on timestamp)."""
    logs = aitutor.audit_logs_for_user(read_only_db, config, ADA)
    assert [log["action"] for log in logs] == ["GRADE_UPDATED", "FILE_UPLOADED", "FILE_UPLOADED"]
    assert logs[-1]["changes"] == {"before": {"status": "inactive"}, "after": {"status": "active"}}
    assert len(aitutor.audit_logs_for_user(read_only_db, config, ADA, limit=1)) == 1
    assert [log["action"] for log in aitutor.audit_logs_for_user(read_only_db, config, GRACE)] == ["USER_CREATED"]
