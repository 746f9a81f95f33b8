-- Backfill (phase 3): import legacy items into the question bank as version 1 of a
-- published single-choice question. Repeatable: items already linked through
-- question.legacy_item_id are skipped. Bounded: 2000 items per batch.
WITH batch AS (
    SELECT i.id, i.stem_html, i.answer_key, i.points
    FROM legacy_item i
    WHERE NOT EXISTS (SELECT 1 FROM question q WHERE q.legacy_item_id = i.id)
    ORDER BY i.id
    LIMIT 2000
), inserted AS (
    INSERT INTO question (legacy_item_id, kind, status)
    SELECT id, 'single-choice', 'published' FROM batch
    ON CONFLICT (legacy_item_id) DO NOTHING
    RETURNING id, legacy_item_id
)
INSERT INTO question_version (question_id, version, stem_html, answer_key, points)
SELECT ins.id, 1, b.stem_html, to_jsonb(b.answer_key), b.points
FROM inserted ins
JOIN batch b ON b.id = ins.legacy_item_id
ON CONFLICT (question_id, version) DO NOTHING;
