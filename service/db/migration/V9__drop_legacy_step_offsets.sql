-- V9 (phase 4): contract step of phase 1's expand/contract. Step windows have served all
-- production traffic since 2026-07 and step_window_from_legacy_offsets filled every row,
-- so the minute offsets on exam_step are dead weight.
--
-- DESTRUCTIVE (guide §4.2): this is why the phase 4 release enables the notification
-- rule engine in lower environments only; its production cutover ships separately.
-- Once applied, disabling features.enable-step-windows no longer falls back to offsets.

ALTER TABLE exam_step DROP COLUMN IF EXISTS opens_offset_min;
ALTER TABLE exam_step DROP COLUMN IF EXISTS closes_offset_min;
