-- Handles: one row per handle, keyed by the canonical name (prefix upper-cased, suffix as is).
-- `vals` holds every value in Handle.Net's JSON output form (secrets as salted hashes);
-- `public` the array anonymous readers get, NULL when it equals `vals`. Resolution is one
-- primary-key read whose bytes are served as stored. Listing a prefix P is the key range
-- ['P/', 'P0'), so no further index is needed.
CREATE TABLE handles (
    key     TEXT COLLATE "C" PRIMARY KEY,
    handle  TEXT,               -- as first written, when it differs from key
    vals    TEXT NOT NULL,
    public  TEXT
);

-- Reverse lookup (/hrls): public URL / CHECKSUM / EMAIL values.
CREATE TABLE handle_search (
    type   TEXT NOT NULL,
    value  TEXT COLLATE "C" NOT NULL,
    key    TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (type, value, key)
);

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
