-- Store calls ride out a restart (issue 26): a worker repeats a lease call whose
-- answer it did not hear (PostgREST or PostgreSQL restarting), so each call made under
-- a fencing token must do its work once however often it is repeated:
--   begin_submit      a repeat after the gate was passed answers 'ok' again; the user's
--                     daily slot is reserved once
--   finish_application, release_application
--                     a repeat after the first took effect answers true and changes
--                     nothing (the row remembers the token that finished it and the
--                     status it asked for; another status from it answers false); a
--                     confirmed submission heard after the sweeper moved the row to
--                     verification (nobody claimed it since: the same token) is
--                     recorded then, not left to the verification settle
--   reserve_linkedin_action(p_token)
--                     one action per claim, however often asked
-- The first versions move to autoapply_private under *_once names and do the work;
-- the public functions keep their names, arguments and grants' shape.

alter table public.job_applications
  add column finished_token bigint,
  add column finished_as text check (finished_as is null or length(finished_as) <= 32);

-- begin_submit ------------------------------------------------------------------
alter function public.begin_submit(uuid, bigint) rename to begin_submit_once;
alter function public.begin_submit_once(uuid, bigint) set schema autoapply_private;

create function public.begin_submit(p_id uuid, p_token bigint)
returns text
language plpgsql volatile set search_path = '' as $$
begin
  -- the gate was passed by this token and its answer lost: the same answer again
  if exists (select 1 from public.job_applications
              where id = p_id and lease_token = p_token and status = 'submitting'
                and lease_expires_at > pg_catalog.now()) then
    return 'ok';
  end if;
  return autoapply_private.begin_submit_once(p_id, p_token);
end $$;

-- finish_application --------------------------------------------------------------
alter function public.finish_application(uuid, bigint, text, text, text, jsonb)
  rename to finish_application_once;
alter function public.finish_application_once(uuid, bigint, text, text, text, jsonb)
  set schema autoapply_private;

create function public.finish_application(
  p_id uuid, p_token bigint, p_status text,
  p_reason text default null, p_error text default null, p_details jsonb default '{}'::jsonb)
returns boolean
language plpgsql volatile set search_path = '' as $$
begin
  if exists (select 1 from public.job_applications
              where id = p_id and finished_token = p_token) then
    return exists (select 1 from public.job_applications
                    where id = p_id and finished_token = p_token and finished_as = p_status);
  end if;
  if autoapply_private.finish_application_once(p_id, p_token, p_status, p_reason, p_error, p_details) then
    update public.job_applications
       set finished_token = p_token, finished_as = p_status where id = p_id;
    return true;
  end if;
  if p_status <> 'submitted' then
    return false;
  end if;
  -- a confirmed submission whose record came after the lease: the sweeper moved the
  -- row to verification and no worker claimed it since (the token is still ours)
  begin
    update public.job_applications
       set status = 'submitting', lease_expires_at = pg_catalog.now() + interval '1 minute'
     where id = p_id and lease_token = p_token and status = 'needs_verification';
    if not found then
      return false;
    end if;
  exception when unique_violation then
    -- the user's next application is running: the verification will record it
    return false;
  end;
  if autoapply_private.finish_application_once(p_id, p_token, p_status, p_reason, p_error, p_details) then
    update public.job_applications
       set finished_token = p_token, finished_as = p_status where id = p_id;
    return true;
  end if;
  return false;
end $$;

-- release_application -------------------------------------------------------------
alter function public.release_application(uuid, bigint) rename to release_application_once;
alter function public.release_application_once(uuid, bigint) set schema autoapply_private;

create function public.release_application(p_id uuid, p_token bigint)
returns boolean
language plpgsql volatile set search_path = '' as $$
begin
  if exists (select 1 from public.job_applications
              where id = p_id and finished_token = p_token) then
    return exists (select 1 from public.job_applications
                    where id = p_id and finished_token = p_token and finished_as = 'released');
  end if;
  if autoapply_private.release_application_once(p_id, p_token) then
    update public.job_applications
       set finished_token = p_token, finished_as = 'released' where id = p_id;
    return true;
  end if;
  return false;
end $$;

-- reserve_linkedin_action(p_token) ------------------------------------------------
create table public.linkedin_action_reservations (
  lease_token bigint primary key,
  reserved_on date not null default autoapply_private.utc_today()
);
alter table public.linkedin_action_reservations enable row level security;
revoke all on table public.linkedin_action_reservations from public, anon, authenticated;
grant select, insert, update, delete on table public.linkedin_action_reservations to service_role;

create function public.reserve_linkedin_action(p_token bigint)
returns boolean
language plpgsql volatile set search_path = '' as $$
begin
  -- a claim's one action: a repeat (its first answer lost) finds it reserved; two
  -- calls at once wait on the key, so the count moves once
  insert into public.linkedin_action_reservations (lease_token) values (p_token)
  on conflict (lease_token) do nothing;
  if not found then
    return true;
  end if;
  delete from public.linkedin_action_reservations
   where reserved_on < autoapply_private.utc_today() - 1;
  if public.reserve_linkedin_action() then
    return true;
  end if;
  delete from public.linkedin_action_reservations where lease_token = p_token;
  return false;
end $$;

revoke all on function
  public.begin_submit(uuid, bigint),
  public.finish_application(uuid, bigint, text, text, text, jsonb),
  public.release_application(uuid, bigint),
  public.reserve_linkedin_action(bigint)
  from public, anon, authenticated;
grant execute on function
  public.begin_submit(uuid, bigint),
  public.finish_application(uuid, bigint, text, text, text, jsonb),
  public.release_application(uuid, bigint),
  public.reserve_linkedin_action(bigint)
  to service_role;
revoke all on all functions in schema autoapply_private from public, anon, authenticated;
grant execute on all functions in schema autoapply_private to service_role;
