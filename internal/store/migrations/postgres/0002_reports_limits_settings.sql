-- Errors the public reports on a place ("Signaler une erreur"), for the
-- referent of the place's territory.
CREATE TABLE reports (
    id          TEXT PRIMARY KEY,
    place_id    TEXT NOT NULL REFERENCES places(id) ON DELETE CASCADE,
    epci        TEXT NOT NULL DEFAULT '',
    categories  TEXT NOT NULL DEFAULT '',
    message     TEXT NOT NULL DEFAULT '',
    email       TEXT NOT NULL DEFAULT '',
    status      TEXT NOT NULL DEFAULT 'nouveau',
    created_at  TIMESTAMPTZ NOT NULL
);
CREATE INDEX reports_epci ON reports (epci, status, created_at);
CREATE INDEX reports_place ON reports (place_id);

-- Fixed-window counters shared by every instance (login, links, forms).
CREATE TABLE rate_limits (
    key          TEXT NOT NULL,
    window_start TIMESTAMPTZ NOT NULL,
    hits         INTEGER NOT NULL,
    PRIMARY KEY (key, window_start)
);

-- Settings an administrator edits, and secrets generated at first start.
CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
