-- The cursor of a streamed CSV feed (src/ingest/feeds.ts): a file has no natural order to keyset-page on, so a
-- pull resumes at a byte position of one version of the file. cursor_timestamp and cursor_key stay the RESO
-- keyset (and, for CSV, tell the last row sent).
--
-- cursor_offset: UTF-8 bytes from the start of the file to the end of the last row sent (its line break
--   included); null when no version is being read (never pulled, or the last version was read to its end).
-- cursor_rows: data rows of that version read so far (the position the offset stands for, for people).
-- cursor_validator: the version's ETag (or, without one, its Last-Modified), sent as If-Range with the next
--   Range request and as If-None-Match / If-Modified-Since once the version is read to its end.
-- cursor_header: the version's header row, needed to read rows that start past it.
alter table ingest_feeds
  add column cursor_offset bigint check (cursor_offset > 0),
  add column cursor_rows bigint not null default 0 check (cursor_rows >= 0),
  add column cursor_validator text check (length(cursor_validator) <= 300),
  add column cursor_header jsonb check (jsonb_typeof(cursor_header) = 'array');
