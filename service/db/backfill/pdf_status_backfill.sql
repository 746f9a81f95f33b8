-- Backfill (phase 2 re-attempt): fill exam_attempt.pdf_status from pdf_document.
-- Repeatable: only rows still NULL are touched. Bounded: 1000 rows per batch, in id order,
-- served by the partial index ix_exam_attempt_pdf_status_pending (V5), so each batch is an
-- index range scan (INC-1042).
UPDATE exam_attempt a
SET pdf_status = COALESCE(
        (SELECT d.state FROM pdf_document d WHERE d.attempt_id = a.id AND d.kind = 'certificate'),
        'none')
WHERE a.id IN (
    SELECT id FROM exam_attempt
    WHERE pdf_status IS NULL
    ORDER BY id
    LIMIT 1000
);
