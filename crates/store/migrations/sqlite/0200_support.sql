-- The support desk: tickets, their messages (in and out), the mailbox read cursor, and the one
-- outbox every outgoing mail goes through. Times are UTC milliseconds; lists are JSON text.
CREATE TABLE support_tickets (
    id                   INTEGER PRIMARY KEY AUTOINCREMENT,  -- also the number in the token [SD-<id>]
    subject              TEXT    NOT NULL,
    requester_email      TEXT    NOT NULL,                   -- who wrote first
    requester_name       TEXT    NOT NULL DEFAULT '',
    buyer_email          TEXT,                               -- whose orders are linked (NULL: none found)
    category             TEXT    NOT NULL,
    confidence           INTEGER NOT NULL,                   -- 0-100
    category_by_operator INTEGER NOT NULL DEFAULT 0,
    language             TEXT    NOT NULL,
    priority             INTEGER NOT NULL,                   -- 0-100, higher first
    status               TEXT    NOT NULL CHECK (status IN ('open', 'answered', 'resolved')),
    order_refs           TEXT    NOT NULL DEFAULT '[]',      -- references quoted in the mail
    linked_orders        TEXT    NOT NULL DEFAULT '[]',      -- order ids found for the buyer
    automatic            INTEGER NOT NULL DEFAULT 0,         -- opened by an automatic mail
    sender_mismatch      INTEGER NOT NULL DEFAULT 0,         -- someone other than the buyer wrote
    message_count        INTEGER NOT NULL DEFAULT 0,
    created_at_ms        INTEGER NOT NULL,
    last_message_at_ms   INTEGER NOT NULL,
    first_response_at_ms INTEGER,
    resolved_at_ms       INTEGER,
    search_text          TEXT    NOT NULL DEFAULT ''         -- lower-cased token, subject, people, first words
);
CREATE INDEX support_tickets_queue ON support_tickets (status, priority DESC, last_message_at_ms DESC);
CREATE INDEX support_tickets_category ON support_tickets (category, status);
CREATE INDEX support_tickets_created ON support_tickets (created_at_ms);

CREATE TABLE support_messages (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    ticket_id       INTEGER NOT NULL REFERENCES support_tickets (id),
    direction       TEXT    NOT NULL CHECK (direction IN ('in', 'out', 'note')),
    dedupe_key      TEXT    NOT NULL UNIQUE,                 -- "mid:<Message-ID>" or "raw:<hash>"
    message_id      TEXT,
    in_reply_to     TEXT,
    refs            TEXT    NOT NULL DEFAULT '[]',
    from_email      TEXT    NOT NULL,
    from_name       TEXT    NOT NULL DEFAULT '',
    subject         TEXT    NOT NULL,
    body_text       TEXT    NOT NULL,
    body_html       TEXT,                                    -- as received; sanitized when shown
    attachments     TEXT    NOT NULL DEFAULT '[]',
    notes           TEXT    NOT NULL DEFAULT '[]',
    automatic       TEXT,                                    -- why it is automatic, or NULL
    sender_is_buyer INTEGER NOT NULL DEFAULT 1,
    raw             BLOB,
    mailbox         TEXT,
    uid_validity    INTEGER,
    uid             INTEGER,
    at_ms           INTEGER NOT NULL
);
CREATE INDEX support_messages_ticket ON support_messages (ticket_id, id);
CREATE INDEX support_messages_message_id ON support_messages (message_id);

CREATE TABLE support_mailbox_cursor (
    mailbox       TEXT    PRIMARY KEY,
    uid_validity  INTEGER NOT NULL,
    last_uid      INTEGER NOT NULL,
    updated_at_ms INTEGER NOT NULL
);

CREATE TABLE mail_outbox (
    id                 INTEGER PRIMARY KEY AUTOINCREMENT,
    message_id         TEXT    NOT NULL UNIQUE,              -- our Message-ID: the key of crash recovery
    idempotency_key    TEXT    UNIQUE,                       -- e.g. "confirmation:<order>": enqueued once
    ticket_id          INTEGER REFERENCES support_tickets (id),
    kind               TEXT    NOT NULL,                     -- reply, ack, confirmation, promo, access, followup
    automatic          INTEGER NOT NULL DEFAULT 0,
    from_address       TEXT    NOT NULL,
    recipient          TEXT    NOT NULL,
    subject            TEXT    NOT NULL,
    raw                BLOB    NOT NULL,                     -- the exact bytes to send
    state              TEXT    NOT NULL CHECK (state IN ('queued', 'sending', 'sent', 'failed', 'bounced', 'held')),
    attempts           INTEGER NOT NULL DEFAULT 0,
    next_attempt_at_ms INTEGER NOT NULL,
    last_error         TEXT,
    failed_address     TEXT,
    copy_saved         INTEGER NOT NULL DEFAULT 0,           -- appended to the Sent folder
    created_at_ms      INTEGER NOT NULL,
    claimed_at_ms      INTEGER,
    sent_at_ms         INTEGER
);
CREATE INDEX mail_outbox_due ON mail_outbox (state, next_attempt_at_ms, id);
CREATE INDEX mail_outbox_recipient ON mail_outbox (recipient, automatic, created_at_ms);
