-- A claim given back says why and waits (issue 34): a row whose every run failed before
-- the browser (a profile the worker could not read, a store error) was given back
-- without a word, claimed again at once and given back again — 239,294 times in eight
-- minutes, the row forever 'queued' with no reason.
--   release_application(p_id, p_token, p_reason, p_error, p_after_ms)
--                     as before (no attempt spent, repeat-safe under the same token),
--                     and records p_reason and p_error on the row, which no worker
--                     claims again before p_after_ms from now (0: at once, as a
--                     shutdown's give-back). A reason is required.
-- The two-argument version is dropped: no path gives a claim back without a reason.

drop function public.release_application(uuid, bigint);

create function public.release_application(
  p_id uuid, p_token bigint, p_reason text, p_error text, p_after_ms bigint)
returns boolean
language plpgsql volatile set search_path = '' as $$
begin
  if p_reason is null or p_reason = '' then
    raise exception 'release_application: a reason is required' using errcode = '22023';
  end if;
  if p_after_ms is null or p_after_ms < 0 then
    raise exception 'release_application: p_after_ms must be 0 or more' using errcode = '22023';
  end if;
  if exists (select 1 from public.job_applications
              where id = p_id and finished_token = p_token) then
    return exists (select 1 from public.job_applications
                    where id = p_id and finished_token = p_token and finished_as = 'released');
  end if;
  if autoapply_private.release_application_once(p_id, p_token) then
    update public.job_applications
       set finished_token = p_token, finished_as = 'released',
           reason = p_reason,
           last_error = pg_catalog.left(p_error, 500),
           run_at = pg_catalog.now() + pg_catalog.make_interval(secs => p_after_ms / 1000.0)
     where id = p_id;
    return true;
  end if;
  return false;
end $$;

revoke all on function public.release_application(uuid, bigint, text, text, bigint)
  from public, anon, authenticated;
grant execute on function public.release_application(uuid, bigint, text, text, bigint)
  to service_role;
