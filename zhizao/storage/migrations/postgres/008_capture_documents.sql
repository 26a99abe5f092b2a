-- A capture job's document lives beside the job, not in its row: claiming a job (a lease
-- update) and finishing it then rewrite a small row, not the whole document (a 10,000-event
-- document is megabytes, rewritten once per update).
CREATE TABLE epcis_capture_documents (
    capture_id TEXT PRIMARY KEY,
    document TEXT NOT NULL
);
INSERT INTO epcis_capture_documents (capture_id, document)
    SELECT capture_id, document FROM epcis_capture_jobs WHERE document IS NOT NULL;
ALTER TABLE epcis_capture_jobs DROP COLUMN document;
-- Who holds a job's lease (`host:pid:start`), so a restarted node takes over at once the jobs
-- of a process of its own host that is gone, instead of waiting out their lease.
ALTER TABLE epcis_capture_jobs ADD COLUMN claimed_by TEXT;
