"""What a notice is and why it is sent or held: the named decisions of `notify.policy`.

They sit beside the model, not in `notify`, so that config validation can render a
sample notice (`notice_text`) without importing upward into the package that sends.
"""

from __future__ import annotations

import enum


class Kind(enum.StrEnum):
    OPENED = "opened"
    RAISED = "raised"
    RENOTIFY = "renotify"
    ESCALATED = "escalated"
    RESOLVED = "resolved"
    TEST = "test"


class Reason(enum.StrEnum):
    FIRST_NOTIFICATION = "first_notification"
    SEVERITY_RAISED = "severity_raised"
    REPEAT_INTERVAL_ELAPSED = "repeat_interval_elapsed"
    ESCALATION_DUE = "escalation_due"
    RECOVERED = "recovered"
    TEST = "test"
    SILENCE_ENDED = "silence_ended"
    REOPENED_SEVERITY_RAISED = "reopened_severity_raised"
    MUTED_SUPPRESSED = "muted_suppressed"
    MUTED_SILENCED = "muted_silenced"
    MUTED_NO_CHANNEL = "muted_no_channel"
    MUTED_REOPENED_IN_DEDUP_WINDOW = "muted_reopened_in_dedup_window"
    MUTED_RESOLVED_DISABLED = "muted_resolved_disabled"
    MUTED_NEVER_ANNOUNCED = "muted_never_announced"
