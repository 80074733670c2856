"""The alert rows a replay would have written: `store.alerts.record`'s bookkeeping, in memory.

Only what the engine and the notification policy read back (open alerts, alerts
recovered within the dedup window, severity, peak, start) and what a comparison
needs (when each alert was firing) is kept.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from alertctl.model import Alert, Change, OpenAlert, SeriesKey, Severity, Status, Transition


@dataclass
class Row:
    """One alert: one incident of one series, reopened in place within the dedup window."""

    id: int
    key: SeriesKey
    metric: str
    severity: Severity
    peak_severity: Severity
    peak: float | None
    started_at: float
    last_seen_at: float
    resolved_at: float | None = None
    recovered: bool = False
    reopened: int = 0
    spells: list[list[float]] = field(default_factory=list)
    """[start, end] of each time it was firing; the last end is None-like (`started`) while open."""

    def open_view(self) -> OpenAlert:
        return OpenAlert(self.id, self.key, self.metric, self.severity, self.peak, self.last_seen_at)

    def alert(self, host: str) -> Alert:
        """The stored form the notification policy reads (replays know no acks or silences)."""
        return Alert(
            self.id,
            self.key.rule,
            self.metric,
            dict(self.key.labels),
            dict(self.key.labels),
            host,
            self.severity,
            self.peak_severity,
            Status.FIRING,
            None,
            None,
            self.peak,
            None,
            "",
            self.started_at,
            self.last_seen_at,
            nodata=self.key.nodata,
        )

    def seconds(self, end: float) -> float:
        """Time firing, an alert still open counted up to `end`."""
        return sum((stop if stop >= start else end) - start for start, stop in self.spells)


class Ledger:
    def __init__(self) -> None:
        self.rows: list[Row] = []
        self.open: dict[SeriesKey, Row] = {}
        self._recovered: dict[SeriesKey, Row] = {}

    def open_alerts(self) -> dict[SeriesKey, OpenAlert]:
        return {key: row.open_view() for key, row in self.open.items()}

    def recent(self, since: float) -> dict[SeriesKey, OpenAlert]:
        """Alerts that recovered at or after `since`: a re-fire reopens them (`alerts.recently_recovered`)."""
        return {
            key: row.open_view()
            for key, row in self._recovered.items()
            if row.resolved_at is not None and row.resolved_at >= since
        }

    def record(self, transitions: list[Transition]) -> list[Transition]:
        """Apply every transition; returns them with `alert_id` set, as the store does."""
        recorded = []
        for t in transitions:
            if t.change is Change.OPENED:
                row = Row(len(self.rows) + 1, t.key, t.metric, t.severity, t.severity, t.peak, t.at, t.at)
                row.spells.append([t.at, -1.0])
                self.rows.append(row)
                self.open[t.key] = row
                t = replace(t, alert_id=row.id)
            elif t.change in (Change.RESOLVED, Change.EXPIRED):
                self._close(t)
            else:
                self._update(t)
            recorded.append(t)
        return recorded

    def _close(self, t: Transition) -> None:
        row = self.open.pop(t.key)
        row.resolved_at = t.at
        row.spells[-1][1] = t.at
        if t.value is not None:
            row.last_seen_at = t.at
        row.recovered = t.change is Change.RESOLVED
        if row.recovered:
            self._recovered[t.key] = row

    def _update(self, t: Transition) -> None:
        if t.change is Change.REOPENED:
            row = self._recovered.pop(t.key)
            row.reopened += 1
            row.resolved_at = None
            row.recovered = False
            row.spells.append([t.at, -1.0])
            self.open[t.key] = row
        row = self.open[t.key]
        row.severity = t.severity
        row.peak_severity = max(row.peak_severity, t.severity)
        row.peak = t.peak
        row.last_seen_at = t.at
