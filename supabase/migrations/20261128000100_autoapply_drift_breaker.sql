-- The drift breaker: when structural failures (the form never opened, a step had no
-- button, an element vanished) follow each other across several distinct users,
-- LinkedIn's markup has changed under the site file. Every worker then stops
-- claiming for a while instead of spending every user's attempts and the day's
-- LinkedIn actions on a broken selector. One row, shared by all workers.
create table public.autoapply_drift (
  id            boolean primary key default true check (id),
  -- structural failures in a row since the last healthy ending
  streak        int not null default 0 check (streak >= 0),
  -- the distinct users of that streak
  streak_users  uuid[] not null default '{}',
  last_reason   text,
  opened_at     timestamptz,
  open_until    timestamptz,
  updated_at    timestamptz not null default now()
);
insert into public.autoapply_drift (id) values (true);
alter table public.autoapply_drift enable row level security;
revoke all on table public.autoapply_drift from public, anon, authenticated;
grant select, insert, update, delete on table public.autoapply_drift to service_role;

-- Counts one ending: p_reason is a structural failure's reason, or null for an
-- ending that shows the markup works (the streak starts again). Opens the breaker
-- for p_pause_secs once the streak holds p_failures failures from p_users users.
create function public.record_drift(
  p_user uuid, p_reason text, p_failures int, p_users int, p_pause_secs int)
returns table (open_until timestamptz, opened_at timestamptz, streak int, users int, last_reason text)
language plpgsql volatile set search_path = '' as $$
begin
  if p_reason is null then
    update public.autoapply_drift d
       set streak = 0, streak_users = '{}', updated_at = pg_catalog.now()
     where d.id and d.streak > 0;
  else
    update public.autoapply_drift d
       set streak = d.streak + 1,
           streak_users = case when p_user = any(d.streak_users) then d.streak_users
                               else d.streak_users || p_user end,
           last_reason = p_reason, updated_at = pg_catalog.now()
     where d.id;
    update public.autoapply_drift d
       set opened_at = pg_catalog.now(),
           open_until = pg_catalog.now() + pg_catalog.make_interval(secs => greatest(p_pause_secs, 1)),
           streak = 0, streak_users = '{}'
     where d.id and d.streak >= greatest(p_failures, 1)
       and pg_catalog.cardinality(d.streak_users) >= greatest(p_users, 1);
  end if;
  return query select d.open_until, d.opened_at, d.streak,
                      pg_catalog.cardinality(d.streak_users), d.last_reason
                 from public.autoapply_drift d where d.id;
end $$;

-- The breaker as it stands (open while open_until is in the future).
create function public.drift_status()
returns table (open_until timestamptz, opened_at timestamptz, streak int, users int, last_reason text)
language sql stable set search_path = '' as $$
  select d.open_until, d.opened_at, d.streak, pg_catalog.cardinality(d.streak_users), d.last_reason
    from public.autoapply_drift d where d.id
$$;

revoke all on function
  public.record_drift(uuid, text, int, int, int),
  public.drift_status()
  from public, anon, authenticated;
grant execute on function
  public.record_drift(uuid, text, int, int, int),
  public.drift_status()
  to service_role;
