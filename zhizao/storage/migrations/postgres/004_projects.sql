-- Investment promotion: signing events, projects (as their JSON, with the columns filters
-- use), parties and their keys, contract documents, signatures, the hash-chained evidence
-- log, and API tokens (stored as their SHA-256 only).
CREATE TABLE signing_events (
    id TEXT PRIMARY KEY,
    year BIGINT NOT NULL,
    body TEXT NOT NULL
);
CREATE TABLE projects (
    id TEXT PRIMARY KEY,
    signing_event TEXT,
    area TEXT NOT NULL,
    stage TEXT NOT NULL,
    investor_party TEXT,
    body TEXT NOT NULL
);
CREATE INDEX projects_signing_event ON projects (signing_event);
CREATE TABLE parties (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    side TEXT NOT NULL
);
CREATE TABLE party_keys (
    key_id TEXT PRIMARY KEY,
    party TEXT NOT NULL,
    public_key TEXT NOT NULL,
    registered_at TEXT NOT NULL,
    revoked_at TEXT
);
CREATE TABLE documents (
    sha256 TEXT PRIMARY KEY,
    project TEXT NOT NULL,
    name TEXT NOT NULL,
    content BYTEA NOT NULL,
    registered_at TEXT NOT NULL
);
CREATE INDEX documents_project ON documents (project);
CREATE TABLE signatures (
    sha256 TEXT NOT NULL,
    party TEXT NOT NULL,
    project TEXT NOT NULL,
    key_id TEXT NOT NULL,
    signed_at TEXT NOT NULL,
    signature TEXT NOT NULL,
    PRIMARY KEY (sha256, party)
);
CREATE TABLE evidence (
    seq BIGINT PRIMARY KEY,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    kind TEXT NOT NULL,
    data TEXT NOT NULL,
    prev TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE TABLE api_tokens (
    token_hash TEXT PRIMARY KEY,
    label TEXT NOT NULL,
    role TEXT NOT NULL,
    party TEXT,
    created_at TEXT NOT NULL,
    revoked_at TEXT
);
