"""Moved (issue 18): the attendance JSON API to ``governance.meetings.attendance_api``, the
meeting room's page shell and pages to ``governance.room``.

Temporary re-exports, for the agenda and polls page controllers that still import the
room's shell from here; each goes once they import ``governance.room`` themselves."""

from governance.meetings.attendance_api import AttendanceApi, proxy_out, quorum_out, register_out
from governance.room.attendance_forms import AttendancePages
from governance.room.forms import confirm_page, page_action
from governance.room.pages import render_meeting_page

__all__ = [
    "AttendanceApi",
    "AttendancePages",
    "confirm_page",
    "page_action",
    "proxy_out",
    "quorum_out",
    "register_out",
    "render_meeting_page",
]
