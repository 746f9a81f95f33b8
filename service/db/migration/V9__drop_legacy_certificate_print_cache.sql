-- V9 (phase 4): drop the FES 2.x certificate print cache. Nothing has read it since 3.0,
-- and since phase 2 reached 100% (2026-10-22) certificates are served as stored PDFs;
-- the column still holds ~40 GB of TOAST on the production cluster.
--
-- DESTRUCTIVE (guide §4.2): this is why the phase 4 release enables the notification
-- rule engine in lower environments only; its production cutover ships separately.

ALTER TABLE certificate DROP COLUMN IF EXISTS legacy_print_html;
