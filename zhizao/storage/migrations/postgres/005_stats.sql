-- Statistics: the subjects series describe, the sites whose EPCIS events count toward them,
-- reported monthly observations, and transformation dates for the KPIs.
CREATE TABLE stat_subjects (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    parent TEXT,
    body TEXT NOT NULL
);
CREATE INDEX stat_subjects_parent ON stat_subjects (parent);
CREATE TABLE stat_sites (
    location TEXT PRIMARY KEY,
    subject TEXT NOT NULL,
    output_indicator TEXT NOT NULL
);
CREATE TABLE stat_observations (
    indicator TEXT NOT NULL,
    subject TEXT NOT NULL,
    month TEXT NOT NULL,
    value TEXT NOT NULL,
    source TEXT NOT NULL,
    PRIMARY KEY (indicator, subject, month)
);
CREATE TABLE stat_transformations (
    subject TEXT PRIMARY KEY,
    body TEXT NOT NULL
);
