-- Cache invalidation across API machines on PostgreSQL (issue 20). Every write records the
-- surrogate keys it invalidates as one `invalidations` row in its own transaction
-- (src/db/invalidations.ts); SQLite processes sharing a file read new rows once an event-loop
-- turn. Here each such row is also sent with NOTIFY on channel broadsheet_invalidations, and
-- every server LISTENs (src/db/pg/notify.ts). NOTIFY is transactional: delivered when the write
-- commits, in commit order, and never when it rolls back — so listeners hear exactly the
-- committed writes' keys, the contract of the invalidations log.
--
-- Payload: the writer's origin (`SET LOCAL broadsheet.origin`, so a server skips its own
-- writes, which it applied already; `-` when unset), a space, the row's `at` (the write's time:
-- a server looks for scheduled posts gone live from then, as SQLite processes do), a newline,
-- the keys separated by spaces.
-- A payload must stay under 8000 bytes: a longer key list is sent in several notifications
-- (all delivered at the commit, each a part of the keys, which is safe to apply part by part);
-- beyond 32 of them, or for a single key too long to send, the one key `all` (drop everything)
-- instead. Rows copied by `migrate-to` (SET LOCAL broadsheet.copying) are old writes: not sent.
CREATE FUNCTION bs_invalidation_notify() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  origin text := coalesce(nullif(current_setting('broadsheet.origin', true), ''), '-');
  head text;
  room integer;
  chunk text := '';
  k text;
BEGIN
  IF current_setting('broadsheet.copying', true) = 'on' THEN RETURN NULL; END IF;
  IF origin !~ '^[A-Za-z0-9_-]{1,64}$' THEN origin := '-'; END IF;
  head := origin || ' ' || NEW.at::text || E'\n';
  room := 7999 - octet_length(head);
  IF octet_length(NEW.keys) <= room THEN
    PERFORM pg_notify('broadsheet_invalidations', head || NEW.keys);
    RETURN NULL;
  END IF;
  IF octet_length(NEW.keys) > room * 32 THEN
    PERFORM pg_notify('broadsheet_invalidations', head || 'all');
    RETURN NULL;
  END IF;
  FOREACH k IN ARRAY string_to_array(NEW.keys, ' ') LOOP
    IF octet_length(k) > room THEN
      PERFORM pg_notify('broadsheet_invalidations', head || 'all');
      RETURN NULL;
    END IF;
    IF chunk = '' THEN
      chunk := k;
    ELSIF octet_length(chunk) + 1 + octet_length(k) > room THEN
      PERFORM pg_notify('broadsheet_invalidations', head || chunk);
      chunk := k;
    ELSE
      chunk := chunk || ' ' || k;
    END IF;
  END LOOP;
  IF chunk <> '' THEN
    PERFORM pg_notify('broadsheet_invalidations', head || chunk);
  END IF;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER invalidations_notify AFTER INSERT ON invalidations FOR EACH ROW EXECUTE FUNCTION bs_invalidation_notify();
