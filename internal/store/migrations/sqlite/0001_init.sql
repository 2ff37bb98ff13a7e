-- Change counters: "places" is bumped by every transaction writing places,
-- which stamps the rows it writes with the new value (places.seq), so that
-- in-memory indexes of every instance know what to reload.
CREATE TABLE counters (
    name  TEXT PRIMARY KEY,
    value INTEGER NOT NULL
);
INSERT INTO counters (name, value) VALUES ('places', 0);

-- Territories in the hub's deployment pipeline (one row per EPCI followed).
CREATE TABLE territories (
    epci        TEXT PRIMARY KEY,
    phase       TEXT NOT NULL DEFAULT 'contact',
    strategy    TEXT NOT NULL DEFAULT '',
    phase_since TIMESTAMP NOT NULL,
    created_at  TIMESTAMP NOT NULL,
    updated_at  TIMESTAMP NOT NULL
);

-- Places: the national standard's fields, code sets as bit masks (bit i is
-- item i of the vocabulary in internal/place/vocab.go), PORTREA's own fields.
CREATE TABLE places (
    id                       TEXT PRIMARY KEY,
    pivot                    TEXT NOT NULL DEFAULT '',
    nom                      TEXT NOT NULL,
    adresse                  TEXT NOT NULL,
    complement_adresse       TEXT NOT NULL DEFAULT '',
    code_postal              TEXT NOT NULL,
    commune                  TEXT NOT NULL,
    code_insee               TEXT NOT NULL,
    epci                     TEXT NOT NULL DEFAULT '',
    departement              TEXT NOT NULL DEFAULT '',
    region                   TEXT NOT NULL DEFAULT '',
    latitude                 REAL,
    longitude                REAL,
    typologies               TEXT NOT NULL DEFAULT '',
    telephone                TEXT NOT NULL DEFAULT '',
    courriels                TEXT NOT NULL DEFAULT '',
    sites_web                TEXT NOT NULL DEFAULT '',
    horaires                 TEXT NOT NULL DEFAULT '',
    resume                   TEXT NOT NULL DEFAULT '',
    detail                   TEXT NOT NULL DEFAULT '',
    source                   TEXT NOT NULL DEFAULT '',
    structure_parente        TEXT NOT NULL DEFAULT '',
    date_maj                 DATE NOT NULL,
    itinerance               INTEGER NOT NULL DEFAULT 0,
    services                 INTEGER NOT NULL DEFAULT 0,
    publics                  INTEGER NOT NULL DEFAULT 0,
    prise_en_charge          INTEGER NOT NULL DEFAULT 0,
    frais                    INTEGER NOT NULL DEFAULT 0,
    dispositifs              INTEGER NOT NULL DEFAULT 0,
    formations_labels        INTEGER NOT NULL DEFAULT 0,
    modalites_acces          INTEGER NOT NULL DEFAULT 0,
    modalites_accompagnement INTEGER NOT NULL DEFAULT 0,
    autres_labels            TEXT NOT NULL DEFAULT '',
    fiche_acces_libre        TEXT NOT NULL DEFAULT '',
    prise_rdv                TEXT NOT NULL DEFAULT '',
    contact_nom              TEXT NOT NULL DEFAULT '',
    contact_email            TEXT NOT NULL DEFAULT '',
    contact_telephone        TEXT NOT NULL DEFAULT '',
    notes                    TEXT NOT NULL DEFAULT '',
    status                   TEXT NOT NULL DEFAULT 'actif',
    duplicate_of             TEXT REFERENCES places(id),
    sort_key                 TEXT NOT NULL DEFAULT '',
    seq                      INTEGER NOT NULL DEFAULT 0,
    created_at               TIMESTAMP NOT NULL,
    updated_at               TIMESTAMP NOT NULL
);
CREATE INDEX places_status_sort ON places (status, sort_key, id);
CREATE INDEX places_epci ON places (epci, status, sort_key);
CREATE INDEX places_departement ON places (departement, status, sort_key);
CREATE INDEX places_code_insee ON places (code_insee);
CREATE INDEX places_geo ON places (latitude, longitude);
CREATE INDEX places_date_maj ON places (date_maj);
CREATE INDEX places_seq ON places (seq);

-- Every change of a place: who or what, when, and the field-level diff (JSON).
CREATE TABLE place_history (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    place_id   TEXT NOT NULL REFERENCES places(id) ON DELETE CASCADE,
    at         TIMESTAMP NOT NULL,
    actor_kind TEXT NOT NULL,
    actor_name TEXT NOT NULL DEFAULT '',
    summary    TEXT NOT NULL DEFAULT '',
    changes    TEXT NOT NULL DEFAULT '[]'
);
CREATE INDEX place_history_place ON place_history (place_id, id);

-- A territory's own complementary fields, and their values per place.
CREATE TABLE extra_fields (
    id         TEXT PRIMARY KEY,
    epci       TEXT NOT NULL,
    key        TEXT NOT NULL,
    label      TEXT NOT NULL,
    kind       TEXT NOT NULL,
    options    TEXT NOT NULL DEFAULT '',
    help       TEXT NOT NULL DEFAULT '',
    position   INTEGER NOT NULL DEFAULT 0,
    created_at TIMESTAMP NOT NULL,
    UNIQUE (epci, key)
);

CREATE TABLE place_extra_values (
    place_id TEXT NOT NULL REFERENCES places(id) ON DELETE CASCADE,
    field_id TEXT NOT NULL REFERENCES extra_fields(id) ON DELETE CASCADE,
    value    TEXT NOT NULL,
    PRIMARY KEY (place_id, field_id)
);
