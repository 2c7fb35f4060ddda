-- A claim rides out a restart too (issue 26): a worker that did not hear a claim's
-- answer (PostgREST or PostgreSQL restarting) asks again with the same request id, and
-- gets the row that claim took, not a second one — instead of that row sitting
-- 'claimed' by nobody until its lease expires and then going back to the queue with an
-- attempt spent.
--   claim_application(p_worker, p_lease_seconds, p_request)
--                     p_request (a uuid the worker picks once per claim and keeps
--                     across its retries) is remembered with the lease token it got;
--                     a repeat of it, while that claim's lease is still held under the
--                     same token by the same worker, answers the same row unchanged
--                     (no second attempt, no new token, no second row). Without
--                     p_request it claims as before.
-- Any later claim of the row gives it a new lease token, so an old request id can
-- never hand back a row another claim took since.
-- The first version moves to autoapply_private under a *_once name and does the work.

alter table public.job_applications
  add column claim_request uuid,
  add column claim_request_token bigint;

alter function public.claim_application(text, int) rename to claim_application_once;
alter function public.claim_application_once(text, int) set schema autoapply_private;

create function public.claim_application(
  p_worker text, p_lease_seconds int default 120, p_request uuid default null)
returns setof public.job_applications
language plpgsql volatile set search_path = '' as $$
declare
  v_row public.job_applications;
begin
  if p_request is not null then
    -- the answer to this request was lost: the same row, as it is
    return query
    select * from public.job_applications
     where claim_request = p_request and claim_request_token = lease_token
       and status = 'claimed' and lease_owner = p_worker
       and lease_expires_at > pg_catalog.now();
    if found then
      return;
    end if;
  end if;
  select * into v_row from autoapply_private.claim_application_once(p_worker, p_lease_seconds);
  if v_row.id is null then
    return;
  end if;
  if p_request is null then
    return next v_row;
    return;
  end if;
  return query
  update public.job_applications
     set claim_request = p_request, claim_request_token = v_row.lease_token
   where id = v_row.id
  returning *;
end $$;

revoke all on function public.claim_application(text, int, uuid)
  from public, anon, authenticated;
grant execute on function public.claim_application(text, int, uuid) to service_role;
revoke all on all functions in schema autoapply_private from public, anon, authenticated;
grant execute on all functions in schema autoapply_private to service_role;
