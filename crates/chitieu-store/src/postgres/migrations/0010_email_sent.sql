-- 0010: when a notification's e-mail was sent (kept in step with sqlite/migrations/0010).
-- `emailed_at` is when the e-mail was claimed; a claim whose send was never recorded (the
-- process died between claiming and settling) may be claimed again once the scheduler's lease
-- has run out. Claims taken before this migration are taken as sent, so no e-mail already
-- delivered is sent twice.
ALTER TABLE notification ADD COLUMN email_sent_at TEXT;
UPDATE notification SET email_sent_at = emailed_at WHERE emailed_at IS NOT NULL;
