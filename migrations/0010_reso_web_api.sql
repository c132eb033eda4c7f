-- The RESO Web API (/reso/odata, docs/reso.md): ModificationTimestamp and OriginalEntryTimestamp as RESO clients
-- replicate by them.
--
-- RESO's replication client pages with `ModificationTimestamp gt <the last one it saw>`, so two rows of a tenant
-- with the same timestamp would lose the second one at a page boundary. Every write therefore stamps the row from
-- a per-tenant clock (reso_clocks): the clock reads greatest(the wall clock, its last stamp + 1 ms), so stamps
-- are unique per tenant and strictly increasing. Milliseconds, as every other timestamp here (0001) and as
-- RESO's tools parse them (JavaScript dates): a stamp a client reads back is exactly the stored one.
--
-- The clock row is updated by the writing statement and stays locked until its transaction ends, so the writes of
-- one tenant take stamps in commit order: a transaction that commits later has larger stamps than every row a
-- reader could already see. That makes two things exact even under concurrent writes:
--   * `ModificationTimestamp gt <last seen>` never misses a write that commits after the read;
--   * a nextLink walk bounds itself with the clock value its first page saw: the rows with
--     original_entry_timestamp <= that bound are exactly the rows that existed when the walk began.
-- The cost is that writes of one tenant are serialized for the length of their (one-statement) transactions; a
-- deadlock this adds is retried by the database client (40P01, src/db/client.ts).
--
-- original_entry_timestamp is the stamp of the insert and never changes afterwards.

create table reso_clocks (
  tenant_id uuid primary key references tenants (id),
  last_stamp timestamptz(3) not null
);

alter table reso_clocks enable row level security;
alter table reso_clocks force row level security;
create policy tenant_isolation on reso_clocks
  using (tenant_id = nullif(current_setting('app.current_tenant_id', true), '')::uuid)
  with check (tenant_id = nullif(current_setting('app.current_tenant_id', true), '')::uuid);
create policy admin_all on reso_clocks to app_admin using (true) with check (true);
-- Every role that writes properties advances the clock (the trigger runs with the writer's privileges).
grant select, insert, update on reso_clocks to app_runtime, app_admin;

alter table properties
  add column modification_timestamp timestamptz(3),
  add column original_entry_timestamp timestamptz(3);

-- Existing rows: stamps in (updated_at, id) order, each greatest(its own time, the previous stamp + 1 ms), i.e.
-- stamp_i = i ms + max over j <= i of (time_j - j ms). The owner is subject to the forced RLS like everyone else,
-- so FORCE is lifted for these statements, inside this migration's transaction, and put back before it commits.
alter table properties no force row level security;
alter table reso_clocks no force row level security;
with ordered as (
  select id, updated_at, created_at,
    row_number() over (partition by tenant_id order by updated_at, id) as modified_rank,
    row_number() over (partition by tenant_id order by created_at, id) as entered_rank,
    tenant_id
  from properties
), stamped as (
  select id,
    modified_rank * interval '1 millisecond' + max(updated_at - modified_rank * interval '1 millisecond')
      over (partition by tenant_id order by updated_at, id rows unbounded preceding) as modified,
    entered_rank * interval '1 millisecond' + max(created_at - entered_rank * interval '1 millisecond')
      over (partition by tenant_id order by created_at, id rows unbounded preceding) as entered
  from ordered
)
update properties p set modification_timestamp = s.modified, original_entry_timestamp = least(s.entered, s.modified)
from stamped s where s.id = p.id;
insert into reso_clocks (tenant_id, last_stamp)
  select tenant_id, max(greatest(modification_timestamp, original_entry_timestamp)) from properties group by tenant_id;
alter table reso_clocks force row level security;

-- least(entered, modified) above keeps an entry stamp from passing its row's own modification stamp; entry stamps
-- need not be unique (they bound a walk, they do not order one).
alter table properties
  alter column modification_timestamp set not null,
  alter column original_entry_timestamp set not null;

-- The row trigger locks the tenant's clock row on the transaction's first write of that tenant and keeps the
-- running stamp in a transaction-local setting (reso_clock.t<tenant id>) after that; a statement trigger writes it
-- back to the clock row once per statement. Updating the clock row for every row instead would stack one row
-- version per written row inside the transaction, which makes a large insert quadratic.
create function stamp_reso_timestamps() returns trigger
language plpgsql
security invoker
set search_path = pg_catalog, public
as $$
declare
  setting text := 'reso_clock.t' || replace(new.tenant_id::text, '-', '');
  last timestamptz(3) := nullif(current_setting(setting, true), '')::timestamptz;
  stamp timestamptz(3);
begin
  if last is null then
    insert into reso_clocks as c (tenant_id, last_stamp) values (new.tenant_id, clock_timestamp())
    on conflict (tenant_id) do update set last_stamp = greatest(excluded.last_stamp, c.last_stamp + interval '1 millisecond')
    returning c.last_stamp into stamp;
    perform set_config('reso_clock.tenants',
      concat_ws(',', nullif(current_setting('reso_clock.tenants', true), ''), new.tenant_id::text), true);
  else
    stamp := greatest(clock_timestamp(), last + interval '1 millisecond');
  end if;
  perform set_config(setting, stamp::text, true);
  new.modification_timestamp := stamp;
  if tg_op = 'INSERT' then
    new.original_entry_timestamp := stamp;
  else
    new.original_entry_timestamp := old.original_entry_timestamp;
  end if;
  return new;
end
$$;

create function flush_reso_clocks() returns trigger
language plpgsql
security invoker
set search_path = pg_catalog, public
as $$
begin
  update reso_clocks c
    set last_stamp = current_setting('reso_clock.t' || replace(c.tenant_id::text, '-', ''))::timestamptz
    where c.tenant_id = any (string_to_array(nullif(current_setting('reso_clock.tenants', true), ''), ',')::uuid[])
      and c.last_stamp < current_setting('reso_clock.t' || replace(c.tenant_id::text, '-', ''))::timestamptz;
  return null;
end
$$;

create trigger properties_reso_timestamps
  before insert or update on properties
  for each row execute function stamp_reso_timestamps();

create trigger properties_reso_clock_flush
  after insert or update on properties
  for each statement execute function flush_reso_clocks();

alter table properties force row level security;

-- Unique per tenant: the invariant the clock keeps, enforced. It also serves TimestampAsc/TimestampDesc
-- replication (order by and `gt`/`lt` on ModificationTimestamp) as a range scan. Not partial: deleted properties
-- are replicated too, as StandardStatus Delete.
create unique index properties_tenant_modification_key on properties (tenant_id, modification_timestamp);
