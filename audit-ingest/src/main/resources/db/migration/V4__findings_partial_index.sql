-- The findings index covered every row, but the one query that reads it (AuditStore.findings: the
-- API's GET /api/v1/findings) only ever asks for Detection Findings: WHERE class_uid = 2004 AND
-- severity_id >= ? AND severity_id <> 99 AND occurred_at >= ? ORDER BY occurred_at DESC, seq DESC.
-- No other query filters or sorts on class_uid (timeline: runner_id; job: job_id; verify and sinks:
-- seq; retention: stored_at and seq; dedupe: event_id). A partial index of the findings alone
-- serves that query the same way (its predicate is the query's class_uid = 2004) and costs
-- nothing on the insert of every other event, which is most of them.
DROP INDEX audit_event_findings_idx;
CREATE INDEX audit_event_findings_idx ON audit_event (occurred_at, severity_id) WHERE class_uid = 2004;
