-- After the show: the operator's retrospective, one per show (what worked, what did not, what to
-- change, and the facts the report prefilled it with). Saved again, it replaces the earlier note.
CREATE TABLE show_retrospectives (
    show_id     TEXT    PRIMARY KEY REFERENCES shows (id),
    worked      TEXT    NOT NULL,
    did_not     TEXT    NOT NULL,
    to_change   TEXT    NOT NULL,
    facts       TEXT    NOT NULL DEFAULT '[]',   -- JSON list of sentences
    saved_by    TEXT    NOT NULL,
    saved_ms    BIGINT  NOT NULL
);

-- The report reads attempts per show (decline rate) and refunds per show (by reason).
CREATE INDEX payment_attempts_show ON payment_attempts (show_id, outcome);
CREATE INDEX orders_show ON orders (show_id, purchased_ms);
