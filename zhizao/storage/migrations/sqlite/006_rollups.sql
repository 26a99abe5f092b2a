-- Running totals of the monthly counts that series derive from EPCIS events, kept up to the
-- event seq in stat_rollup_marks: each read adds only the events captured since (captures
-- are serialised, so seqs commit in order) and starts over when an error declaration arrives.
CREATE TABLE stat_rollups (
    query TEXT NOT NULL,
    site TEXT NOT NULL,
    month TEXT NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (query, site, month)
);
CREATE TABLE stat_rollup_marks (
    query TEXT PRIMARY KEY,
    upto_seq BIGINT NOT NULL,
    declarations BIGINT NOT NULL
);
