-- The journey of each territory: every phase change, meeting and decision
-- the hub records, for the pipeline's dates and the timeline.
CREATE TABLE territory_journal (
    id      TEXT PRIMARY KEY,
    epci    TEXT NOT NULL,
    kind    TEXT NOT NULL,
    phase   TEXT NOT NULL DEFAULT '',
    at      TIMESTAMPTZ NOT NULL,
    by_user TEXT NOT NULL DEFAULT '',
    note    TEXT NOT NULL DEFAULT ''
);
CREATE INDEX territory_journal_epci ON territory_journal (epci, at);

-- Declarations of interest from the public joining page.
CREATE TABLE interests (
    id           TEXT PRIMARY KEY,
    epci         TEXT NOT NULL,
    name         TEXT NOT NULL,
    organisation TEXT NOT NULL,
    org_kind     TEXT NOT NULL,
    email        TEXT NOT NULL,
    phone        TEXT NOT NULL DEFAULT '',
    hopes        TEXT NOT NULL DEFAULT '',
    created_at   TIMESTAMPTZ NOT NULL,
    handled_at   TIMESTAMPTZ
);
CREATE INDEX interests_epci ON interests (epci, created_at);

-- The strategy assessment of a territory (four maturity factors, JSON),
-- the recommendation, and the choice with its reasons.
CREATE TABLE assessments (
    epci        TEXT PRIMARY KEY,
    factors     TEXT NOT NULL,
    recommended TEXT NOT NULL,
    chosen      TEXT NOT NULL,
    reasons     TEXT NOT NULL DEFAULT '',
    decided_by  TEXT NOT NULL DEFAULT '',
    updated_at  TIMESTAMPTZ NOT NULL
);

-- Complementary fields can be retired: kept for history, no longer asked.
ALTER TABLE extra_fields ADD COLUMN retired_at TIMESTAMPTZ;

-- The collaborative day of a territory and its invitees.
CREATE TABLE events (
    id          TEXT PRIMARY KEY,
    epci        TEXT NOT NULL,
    title       TEXT NOT NULL,
    starts_at   TIMESTAMPTZ NOT NULL,
    ends_at     TIMESTAMPTZ NOT NULL,
    place       TEXT NOT NULL DEFAULT '',
    room        TEXT NOT NULL DEFAULT '',
    meal        BOOLEAN NOT NULL DEFAULT FALSE,
    programme   TEXT NOT NULL DEFAULT '',
    campaign_id TEXT NOT NULL DEFAULT '',
    created_at  TIMESTAMPTZ NOT NULL
);
CREATE INDEX events_epci ON events (epci, starts_at);

CREATE TABLE event_invitees (
    id            TEXT PRIMARY KEY,
    event_id      TEXT NOT NULL REFERENCES events(id) ON DELETE CASCADE,
    place_id      TEXT NOT NULL DEFAULT '',
    name          TEXT NOT NULL,
    email         TEXT NOT NULL,
    kind          TEXT NOT NULL,
    token_hash    TEXT NOT NULL UNIQUE,
    invited_at    TIMESTAMPTZ,
    rsvp          TEXT NOT NULL DEFAULT '',
    party_size    INTEGER NOT NULL DEFAULT 0,
    diet          TEXT NOT NULL DEFAULT '',
    rsvp_at       TIMESTAMPTZ,
    checked_in_at TIMESTAMPTZ
);
CREATE INDEX event_invitees_event ON event_invitees (event_id);

-- Network animation: workshops and meetings of a territory.
CREATE TABLE animations (
    id           TEXT PRIMARY KEY,
    epci         TEXT NOT NULL,
    at           TIMESTAMPTZ NOT NULL,
    theme        TEXT NOT NULL,
    participants TEXT NOT NULL DEFAULT '',
    notes        TEXT NOT NULL DEFAULT '',
    created_by   TEXT NOT NULL DEFAULT '',
    created_at   TIMESTAMPTZ NOT NULL
);
CREATE INDEX animations_epci ON animations (epci, at);

-- Places whose contacts appear in the network's private directory, with
-- their consent.
CREATE TABLE network_directory (
    place_id   TEXT PRIMARY KEY REFERENCES places(id) ON DELETE CASCADE,
    consent_at TIMESTAMPTZ NOT NULL,
    by_user    TEXT NOT NULL DEFAULT ''
);
