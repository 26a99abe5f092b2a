-- Resolution counts collected from the nodes this one delegated prefixes to (and, through
-- them, their subtrees): `via` is the delegated prefix the rows came through.
CREATE TABLE federated_counts (
    via     TEXT NOT NULL,
    prefix  TEXT NOT NULL,
    day     TEXT NOT NULL,      -- YYYY-MM-DD, UTC
    count   BIGINT NOT NULL,
    PRIMARY KEY (via, prefix, day)
);
