-- V5 (phase 2 re-attempt): INC-1042 action item "Add index before backfill".
-- The first attempt's pdf_status backfill scanned exam_attempt sequentially for every
-- batch and starved the submission endpoints. These partial indexes make each batch an
-- index range scan and shrink to nothing as the backfill completes.

CREATE INDEX IF NOT EXISTS ix_exam_attempt_pdf_status_pending ON exam_attempt (id) WHERE pdf_status IS NULL;
CREATE INDEX IF NOT EXISTS ix_pdf_document_attempt ON pdf_document (attempt_id);
CREATE INDEX IF NOT EXISTS ix_pdf_document_state ON pdf_document (state) WHERE state IN ('requested', 'rendering');
