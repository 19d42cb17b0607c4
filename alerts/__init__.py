"""Alert lifecycle and delivery: consumes alert events from the alerts topic
(``schemas.alerts.AlertEvent``), dedupes by fingerprint, groups, escalates and notifies."""
