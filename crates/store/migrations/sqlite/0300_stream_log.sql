-- What happened on air: each time the show went live, its outputs' health over time, and the
-- events (state changes, alerts) — what the after-show report reads.
CREATE TABLE live_sessions (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    show_id         TEXT,
    started_ms      INTEGER NOT NULL,
    ended_ms        INTEGER,
    recording_path  TEXT
);
CREATE INDEX live_sessions_show ON live_sessions (show_id, started_ms);

CREATE TABLE stream_samples (
    session_id      INTEGER NOT NULL REFERENCES live_sessions (id),
    at_ms           INTEGER NOT NULL,
    output_id       TEXT    NOT NULL,
    state           TEXT    NOT NULL,
    bitrate_bps     INTEGER NOT NULL,
    dropped_percent REAL    NOT NULL,
    reconnects      INTEGER NOT NULL,
    queue_ms        INTEGER NOT NULL,
    live_seconds    INTEGER NOT NULL
);
CREATE INDEX stream_samples_session ON stream_samples (session_id, at_ms);

CREATE TABLE stream_events (
    session_id      INTEGER NOT NULL REFERENCES live_sessions (id),
    at_ms           INTEGER NOT NULL,
    kind            TEXT    NOT NULL,   -- output_state, alert, bitrate, source_state
    subject         TEXT    NOT NULL,   -- output or source id, channel name
    detail          TEXT    NOT NULL    -- JSON, never a secret
);
CREATE INDEX stream_events_session ON stream_events (session_id, at_ms);
