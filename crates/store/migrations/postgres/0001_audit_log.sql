-- Every operator action: who, what, on what, when, and how it ended. Append-only.
CREATE TABLE audit_log (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at_ms       BIGINT NOT NULL,                -- UTC, milliseconds since the epoch
    actor       TEXT   NOT NULL,                -- operator name, or "system" for automatic work
    action      TEXT   NOT NULL,                -- e.g. "refund.create"
    subject     TEXT   NOT NULL,                -- what it acted on, e.g. "order:ord_123"
    detail      TEXT   NOT NULL DEFAULT '{}',   -- JSON, never a secret
    outcome     TEXT   NOT NULL CHECK (outcome IN ('ok', 'error')),
    error_code  TEXT
);
CREATE INDEX audit_log_at ON audit_log (at_ms);
CREATE INDEX audit_log_subject ON audit_log (subject);
