-- Update campaigns: one per territory and occasion. A calendar campaign
-- carries its date in schedule_key: the unique key makes the scheduler
-- create it once, whatever the restarts and the number of instances.
CREATE TABLE campaigns (
    id            TEXT PRIMARY KEY,
    epci          TEXT NOT NULL,
    name          TEXT NOT NULL,
    origin        TEXT NOT NULL,
    schedule_key  TEXT,
    status        TEXT NOT NULL,
    subject       TEXT NOT NULL,
    body          TEXT NOT NULL,
    sender_name   TEXT NOT NULL,
    reply_to      TEXT NOT NULL DEFAULT '',
    deadline      TIMESTAMP NOT NULL,
    reminders     TEXT NOT NULL DEFAULT '',
    direct_fields TEXT NOT NULL DEFAULT '',
    track_opens   BOOLEAN NOT NULL DEFAULT FALSE,
    created_by    TEXT NOT NULL DEFAULT '',
    created_at    TIMESTAMP NOT NULL,
    UNIQUE (epci, schedule_key)
);
CREATE INDEX campaigns_epci ON campaigns (epci, created_at);

-- The places a campaign asks, and what became of each.
CREATE TABLE campaign_recipients (
    campaign_id   TEXT NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
    place_id      TEXT NOT NULL REFERENCES places(id) ON DELETE CASCADE,
    email         TEXT NOT NULL,
    sent_at       TIMESTAMP,
    opened_at     TIMESTAMP,
    visited_at    TIMESTAMP,
    answer        TEXT NOT NULL DEFAULT '',
    answered_at   TIMESTAMP,
    bounced_at    TIMESTAMP,
    bounce_reason TEXT NOT NULL DEFAULT '',
    call_outcome  TEXT NOT NULL DEFAULT '',
    call_note     TEXT NOT NULL DEFAULT '',
    called_at     TIMESTAMP,
    called_by     TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (campaign_id, place_id)
);
CREATE INDEX campaign_recipients_place ON campaign_recipients (place_id);

-- The queue of e-mails: a row per message, created once (unique key),
-- claimed for a while by the sender that sends it, marked sent before the
-- SMTP server is told the message is complete.
CREATE TABLE campaign_messages (
    id              TEXT PRIMARY KEY,
    campaign_id     TEXT NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
    place_id        TEXT NOT NULL,
    kind            TEXT NOT NULL,
    to_addr         TEXT NOT NULL,
    status          TEXT NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMP NOT NULL,
    claimed_until   TIMESTAMP,
    sent_at         TIMESTAMP,
    last_error      TEXT NOT NULL DEFAULT '',
    created_at      TIMESTAMP NOT NULL,
    UNIQUE (campaign_id, place_id, kind)
);
CREATE INDEX campaign_messages_due ON campaign_messages (status, next_attempt_at);

-- Personal links: only the SHA-256 of the secret is kept. A link opens one
-- place's form until it expires or is revoked.
CREATE TABLE campaign_links (
    token_hash  TEXT PRIMARY KEY,
    campaign_id TEXT NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
    place_id    TEXT NOT NULL REFERENCES places(id) ON DELETE CASCADE,
    message_id  TEXT NOT NULL DEFAULT '',
    created_at  TIMESTAMP NOT NULL,
    expires_at  TIMESTAMP NOT NULL,
    revoked_at  TIMESTAMP
);
CREATE INDEX campaign_links_place ON campaign_links (campaign_id, place_id);

-- Addresses that asked to receive no more campaign e-mail (RGPD).
CREATE TABLE mail_opt_outs (
    email      TEXT PRIMARY KEY,
    created_at TIMESTAMP NOT NULL
);

-- Changes an actor proposed through a link, waiting for the referent.
CREATE TABLE proposals (
    id          TEXT PRIMARY KEY,
    place_id    TEXT NOT NULL REFERENCES places(id) ON DELETE CASCADE,
    epci        TEXT NOT NULL,
    campaign_id TEXT NOT NULL DEFAULT '',
    changes     TEXT NOT NULL,
    status      TEXT NOT NULL,
    created_at  TIMESTAMP NOT NULL,
    decided_at  TIMESTAMP,
    decided_by  TEXT NOT NULL DEFAULT ''
);
CREATE INDEX proposals_epci ON proposals (epci, status, created_at);
