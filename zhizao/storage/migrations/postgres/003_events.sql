-- EPCIS events with their indexed identifiers and sensor values, capture jobs, named queries
-- and subscriptions, and the trace tables derived from the events.
CREATE TABLE epcis_events (
    seq BIGINT PRIMARY KEY,
    event_id TEXT NOT NULL,
    event_type TEXT NOT NULL,
    event_time TEXT NOT NULL,
    record_time TEXT NOT NULL,
    action TEXT,
    biz_step TEXT,
    disposition TEXT,
    read_point TEXT,
    biz_location TEXT,
    transformation_id TEXT,
    is_error BIGINT NOT NULL DEFAULT 0,
    error_time TEXT,
    error_reason TEXT,
    capture_id TEXT,
    body TEXT NOT NULL
);
CREATE UNIQUE INDEX epcis_events_event_id ON epcis_events (event_id) WHERE is_error = 0;
CREATE INDEX epcis_events_declared ON epcis_events (event_id) WHERE is_error = 1;
CREATE INDEX epcis_events_event_time ON epcis_events (event_time);
CREATE INDEX epcis_events_record_time ON epcis_events (record_time);
CREATE INDEX epcis_events_biz_step ON epcis_events (biz_step);
CREATE INDEX epcis_events_transformation ON epcis_events (transformation_id) WHERE transformation_id IS NOT NULL;
CREATE TABLE epcis_ids (
    seq BIGINT NOT NULL,
    role TEXT NOT NULL,
    id TEXT NOT NULL,
    quantity DOUBLE PRECISION,
    uom TEXT
);
CREATE INDEX epcis_ids_id ON epcis_ids (id, role, seq);
CREATE INDEX epcis_ids_seq ON epcis_ids (seq);
CREATE TABLE epcis_sensors (
    seq BIGINT NOT NULL,
    type TEXT NOT NULL,
    uom TEXT NOT NULL,
    field TEXT NOT NULL,
    value DOUBLE PRECISION NOT NULL
);
CREATE INDEX epcis_sensors_value ON epcis_sensors (field, uom, value);
CREATE INDEX epcis_sensors_seq ON epcis_sensors (seq);
CREATE TABLE epcis_capture_jobs (
    capture_id TEXT PRIMARY KEY,
    created_at TEXT NOT NULL,
    finished_at TEXT,
    running BIGINT NOT NULL,
    success BIGINT NOT NULL,
    behaviour TEXT NOT NULL,
    errors TEXT NOT NULL DEFAULT '[]',
    document TEXT,
    claimed_until DOUBLE PRECISION NOT NULL DEFAULT 0
);
CREATE TABLE epcis_queries (
    name TEXT PRIMARY KEY,
    query TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE TABLE epcis_subscriptions (
    subscription_id TEXT PRIMARY KEY,
    query_name TEXT NOT NULL,
    dest TEXT NOT NULL,
    signature_token TEXT,
    created_at TEXT NOT NULL,
    last_seq BIGINT NOT NULL,
    attempts BIGINT NOT NULL DEFAULT 0,
    next_attempt DOUBLE PRECISION NOT NULL DEFAULT 0,
    claimed_until DOUBLE PRECISION NOT NULL DEFAULT 0,
    last_error TEXT
);
CREATE TABLE trace_nodes (
    node BIGSERIAL PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    label TEXT NOT NULL
);
CREATE TABLE trace_links (
    seq BIGINT NOT NULL,
    kind TEXT NOT NULL,
    parent BIGINT NOT NULL,
    child BIGINT,
    at BIGINT NOT NULL
);
CREATE INDEX trace_links_child ON trace_links (child);
CREATE INDEX trace_links_parent ON trace_links (parent, kind);
CREATE INDEX trace_links_seq ON trace_links (seq);
CREATE TABLE trace_edges (
    parent BIGINT NOT NULL,
    child BIGINT NOT NULL,
    valid_from BIGINT NOT NULL,
    valid_to BIGINT NOT NULL,
    seq BIGINT NOT NULL
);
CREATE INDEX trace_edges_down ON trace_edges (parent, valid_to, valid_from, child);
CREATE INDEX trace_edges_up ON trace_edges (child, valid_to, valid_from, parent);
