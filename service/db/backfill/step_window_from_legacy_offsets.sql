-- Backfill (phase 1): one step_window per legacy step, computed from the exam's opening
-- time and the step's minute offsets. Repeatable: steps that already have a window are
-- skipped (NOT EXISTS + ON CONFLICT). Bounded: one batch of 5000 steps per run; the
-- runner repeats it until the dry-run count reaches 0.
INSERT INTO step_window (step_id, opens_at, closes_at)
SELECT s.id,
       e.opens_at + make_interval(mins => s.opens_offset_min),
       e.opens_at + make_interval(mins => s.closes_offset_min)
FROM exam_step s
JOIN exam e ON e.id = s.exam_id
WHERE e.opens_at IS NOT NULL
  AND s.opens_offset_min IS NOT NULL
  AND s.closes_offset_min > s.opens_offset_min
  AND NOT EXISTS (SELECT 1 FROM step_window w WHERE w.step_id = s.id)
ORDER BY s.id
LIMIT 5000
ON CONFLICT (step_id) DO NOTHING;
