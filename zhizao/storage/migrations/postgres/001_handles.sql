-- Handles: one row per handle. `stored` holds every value (secrets hashed), `public` the JSON
-- array anonymous readers get, computed at write time so resolution is a single indexed read.
CREATE TABLE handles (
    key     TEXT COLLATE "C" PRIMARY KEY,   -- canonical: prefix upper-cased (ASCII), suffix as is
    handle  TEXT NOT NULL,      -- as the client wrote it
    prefix  TEXT COLLATE "C" NOT NULL,      -- canonical prefix of the handle (0.NA for prefix handles)
    stored  TEXT NOT NULL,
    public  TEXT NOT NULL
);
CREATE INDEX handles_by_prefix ON handles (prefix, key);

CREATE TABLE handle_search (
    type   TEXT NOT NULL,
    value  TEXT NOT NULL,
    key    TEXT NOT NULL,
    PRIMARY KEY (type, value, key)
);
CREATE INDEX handle_search_by_key ON handle_search (key);

CREATE TABLE prefixes (
    prefix    TEXT PRIMARY KEY,
    homed_at  TEXT NOT NULL
);

CREATE TABLE server_admins (
    identity  TEXT PRIMARY KEY
);

CREATE TABLE resolution_counts (
    prefix  TEXT NOT NULL,
    day     TEXT NOT NULL,      -- YYYY-MM-DD, UTC
    count   BIGINT NOT NULL,
    PRIMARY KEY (prefix, day)
);
