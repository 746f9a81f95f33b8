-- Backfill (phase 4): one rule per template that still relies on a legacy trigger code.
-- Repeatable: rule names are unique ('legacy:<template code>'). Bounded: 500 per batch
-- (there are a few dozen templates in production).
INSERT INTO notification_rule (name, event_type, template_id, enabled)
SELECT 'legacy:' || t.code,
       CASE t.legacy_trigger_code
           WHEN 'ON_SUBMIT' THEN 'attempt.submitted'
           WHEN 'ON_CERT' THEN 'certificate.issued'
       END,
       t.id,
       true
FROM notification_template t
WHERE t.legacy_trigger_code IN ('ON_SUBMIT', 'ON_CERT')
ORDER BY t.id
LIMIT 500
ON CONFLICT (name) DO NOTHING;
