-- The box office ledger: shows, orders folded from payment events, refunds, promo codes, double
-- purchases, payment attempts, per-show totals kept incrementally (the dashboard never scans
-- orders), the processor's event ids already applied, and sync cursors.
-- Money: BIGINT minor units + currency code. Time: BIGINT UTC milliseconds.

CREATE TABLE shows (
    id                  TEXT    PRIMARY KEY,
    title               TEXT    NOT NULL,
    starts_at_ms        BIGINT  NOT NULL,
    ends_at_ms          BIGINT  NOT NULL,
    price_minor         BIGINT  NOT NULL,
    currency            TEXT    NOT NULL,
    capacity            BIGINT  NOT NULL,
    stripe_product_id   TEXT,
    stripe_price_id     TEXT,
    payment_link_id     TEXT    UNIQUE,
    payment_link_url    TEXT,
    sales_open          BOOLEAN NOT NULL DEFAULT FALSE,
    created_ms          BIGINT  NOT NULL
);

CREATE TABLE orders (
    id                  TEXT    PRIMARY KEY,
    show_id             TEXT    REFERENCES shows (id),  -- NULL: a payment not tied to any show of ours
    checkout_session_id TEXT    UNIQUE,
    payment_intent_id   TEXT    UNIQUE,
    charge_id           TEXT,
    payment_link_id     TEXT,
    buyer_email         TEXT,                           -- normalised (trimmed, lower-case)
    buyer_name          TEXT,
    customer_id         TEXT,
    card_fingerprint    TEXT,
    currency            TEXT,
    amount_minor        BIGINT ,                        -- NULL until an event says
    refunded_minor      BIGINT  NOT NULL DEFAULT 0,     -- the largest amount_refunded observed
    payment_state       TEXT    NOT NULL,
    dispute_state       TEXT    NOT NULL,
    status              TEXT    NOT NULL,
    promotion_code_id   TEXT,
    discount_minor      BIGINT  NOT NULL DEFAULT 0,
    purchased_ms        BIGINT  NOT NULL,
    ticket_issued_ms    BIGINT ,                        -- first time the order granted access
    updated_ms          BIGINT  NOT NULL
);
CREATE INDEX orders_customer ON orders (customer_id);
CREATE INDEX orders_fingerprint ON orders (card_fingerprint);
CREATE INDEX orders_charge ON orders (charge_id);
CREATE INDEX orders_email ON orders (buyer_email);

CREATE TABLE show_totals (
    show_id             TEXT    PRIMARY KEY REFERENCES shows (id),
    tickets             BIGINT  NOT NULL DEFAULT 0,
    paid_orders         BIGINT  NOT NULL DEFAULT 0,
    gross_minor         BIGINT  NOT NULL DEFAULT 0,
    refunded_minor      BIGINT  NOT NULL DEFAULT 0,
    pending_orders      BIGINT  NOT NULL DEFAULT 0,
    failed_orders       BIGINT  NOT NULL DEFAULT 0,
    refunded_orders     BIGINT  NOT NULL DEFAULT 0,
    disputed_orders     BIGINT  NOT NULL DEFAULT 0
);

CREATE TABLE promo_totals (
    show_id             TEXT    NOT NULL,
    promotion_code_id   TEXT    NOT NULL,
    tickets             BIGINT  NOT NULL DEFAULT 0,
    paid_orders         BIGINT  NOT NULL DEFAULT 0,
    gross_minor         BIGINT  NOT NULL DEFAULT 0,
    discount_minor      BIGINT  NOT NULL DEFAULT 0,
    PRIMARY KEY (show_id, promotion_code_id)
);

-- Tickets first issued per minute of purchase.
CREATE TABLE sales_minutes (
    show_id             TEXT    NOT NULL,
    minute_ms           BIGINT  NOT NULL,
    tickets             BIGINT  NOT NULL DEFAULT 0,
    PRIMARY KEY (show_id, minute_ms)
);

CREATE TABLE payment_events_seen (
    event_id            TEXT    PRIMARY KEY,
    created_ms          BIGINT  NOT NULL,
    kind                TEXT    NOT NULL,
    applied_ms          BIGINT  NOT NULL
);

CREATE TABLE sync_cursors (
    name                TEXT    PRIMARY KEY,
    position            TEXT    NOT NULL,
    position_ms         BIGINT  NOT NULL,
    updated_ms          BIGINT  NOT NULL
);

CREATE TABLE refunds (
    id                  BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    order_id            TEXT    NOT NULL REFERENCES orders (id),
    amount_minor        BIGINT  NOT NULL,
    currency            TEXT    NOT NULL,
    reason              TEXT    NOT NULL,
    status              TEXT    NOT NULL CHECK (status IN ('requested', 'succeeded', 'failed')),
    idempotency_key     TEXT    NOT NULL UNIQUE,
    stripe_refund_id    TEXT,
    error_code          TEXT,
    requested_by        TEXT    NOT NULL,
    requested_ms        BIGINT  NOT NULL,
    settled_ms          BIGINT 
);
CREATE INDEX refunds_order ON refunds (order_id);
CREATE INDEX refunds_status ON refunds (status);

CREATE TABLE promo_codes (
    id                       BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    show_id                  TEXT    NOT NULL REFERENCES shows (id),
    code                     TEXT    NOT NULL,
    percent_off              BIGINT ,
    amount_off_minor         BIGINT ,
    currency                 TEXT    NOT NULL,
    max_redemptions          BIGINT ,
    expires_at_ms            BIGINT ,
    for_buyer                TEXT,
    stripe_coupon_id         TEXT,
    stripe_promotion_code_id TEXT    UNIQUE,
    active                   BOOLEAN NOT NULL DEFAULT TRUE,
    created_by               TEXT    NOT NULL,
    created_ms               BIGINT  NOT NULL,
    UNIQUE (show_id, code),
    CHECK ((percent_off IS NULL) <> (amount_off_minor IS NULL))
);

CREATE TABLE double_purchases (
    id                  BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    show_id             TEXT    NOT NULL,
    original_order_id   TEXT    NOT NULL,
    duplicate_order_id  TEXT    NOT NULL UNIQUE,
    matched_on          TEXT    NOT NULL,
    status              TEXT    NOT NULL CHECK (status IN ('open', 'refunded', 'dismissed')),
    flagged_ms          BIGINT  NOT NULL,
    resolved_by         TEXT,
    resolved_ms         BIGINT 
);
CREATE INDEX double_purchases_show_status ON double_purchases (show_id, status);

CREATE TABLE payment_attempts (
    id                  BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at_ms               BIGINT  NOT NULL,
    show_id             TEXT,
    outcome             TEXT    NOT NULL CHECK (outcome IN ('succeeded', 'declined', 'rate_limited')),
    code                TEXT
);
CREATE INDEX payment_attempts_at ON payment_attempts (at_ms);

-- Mail owed to buyers (ticket confirmations, refund notices), for the outbox to send. One row per
-- (kind, order, reference): a purchase described by two events still gets one confirmation.
CREATE TABLE buyer_notices (
    id                  BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind                TEXT    NOT NULL,
    order_id            TEXT    NOT NULL,
    reference           TEXT    NOT NULL DEFAULT '',
    email               TEXT    NOT NULL,
    created_ms          BIGINT  NOT NULL,
    sent_ms             BIGINT ,
    UNIQUE (kind, order_id, reference)
);
CREATE INDEX buyer_notices_unsent ON buyer_notices (sent_ms, id);

-- Audience: where viewer counts come from (secrets only as references) and what they said.
CREATE TABLE audience_sources (
    id                  TEXT    PRIMARY KEY,
    show_id             TEXT    NOT NULL REFERENCES shows (id),
    kind                TEXT    NOT NULL,
    config              TEXT    NOT NULL,                -- JSON without secrets
    created_ms          BIGINT  NOT NULL
);

CREATE TABLE audience_samples (
    id                  BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    source_id           TEXT    NOT NULL,
    show_id             TEXT    NOT NULL,
    at_ms               BIGINT  NOT NULL,
    state               TEXT    NOT NULL CHECK (state IN ('online', 'offline', 'unknown')),
    viewers             BIGINT                           -- NULL unless online
);
CREATE INDEX audience_samples_show_at ON audience_samples (show_id, at_ms);
CREATE INDEX audience_samples_show_viewers ON audience_samples (show_id, viewers);
