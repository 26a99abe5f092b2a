-- Handle.Net's challenge-response sessions (/api/sessions), shared by every worker.
CREATE TABLE sessions (
    id          TEXT PRIMARY KEY,
    nonce       TEXT NOT NULL,      -- base64, the server's challenge
    identity    TEXT,               -- index:handle once authenticated
    expires_at  INTEGER NOT NULL    -- Unix seconds
);
