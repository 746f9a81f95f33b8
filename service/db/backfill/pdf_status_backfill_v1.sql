-- Backfill (phase 2, first attempt 2026-09-15) — kept as it ran, for INC-1042.
-- Batches of 5000 with no supporting index: every batch scanned exam_attempt in full.
-- Superseded by pdf_status_backfill.sql.
UPDATE exam_attempt a
SET pdf_status = COALESCE(
        (SELECT d.state FROM pdf_document d WHERE d.attempt_id = a.id AND d.kind = 'certificate'),
        'none')
WHERE a.id IN (SELECT id FROM exam_attempt WHERE pdf_status IS NULL LIMIT 5000);
