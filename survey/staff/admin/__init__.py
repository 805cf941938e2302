"""Admin pages (blueprint `admin`, /staff/admin/…): waves, publishing, invitation codes.

views ─ waves (calendar state, publish review and act) ─ snapshot (survey.analysis) ─ store
      ─ invitations (survey.storage.repository.create_invitations) ─ CSV download
"""

from survey.staff.admin.views import admin

__all__ = ["admin"]
