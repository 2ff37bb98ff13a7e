-- Monthly snapshots of a territory's key figures (JSON), one per month,
-- kept automatically for the portrait's trend.
CREATE TABLE portrait_snapshots (
    epci       TEXT NOT NULL,
    month      TEXT NOT NULL,
    figures    TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (epci, month)
);

-- Commune outlines fetched from geo.api.gouv.fr (GeoJSON geometry), kept
-- so that the portrait's map never waits for the network.
CREATE TABLE commune_contours (
    code       TEXT PRIMARY KEY,
    geometry   TEXT NOT NULL,
    fetched_at TIMESTAMP NOT NULL
);

-- The referent's foreword of a territory's portrait.
CREATE TABLE portrait_forewords (
    epci       TEXT PRIMARY KEY,
    text       TEXT NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    updated_by TEXT NOT NULL DEFAULT ''
);
