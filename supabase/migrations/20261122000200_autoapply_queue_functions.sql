-- autoapply: the queue, fencing and quota functions, called through PostgREST RPC.
--
-- Invariants (ARCHITECTURE.md repeats them):
-- * a row is claimed by one worker at a time (FOR UPDATE SKIP LOCKED), under a lease
--   and a fencing token drawn from one global sequence;
-- * every state change after the claim names the token: a stale worker changes nothing;
-- * once a row reached 'submitting' it never goes back to 'queued' without a
--   verification run (verification_pending), and begin_submit refuses such a row;
-- * quotas are reserved with one check-and-increment statement, so concurrent
--   workers never overshoot; days are UTC days.
-- All functions run with an empty search_path and name every object fully.

create function autoapply_private.utc_today() returns date
language sql stable set search_path = '' as $$
  select (pg_catalog.now() at time zone 'UTC')::date
$$;

create function autoapply_private.next_utc_midnight() returns timestamptz
language sql stable set search_path = '' as $$
  select ((autoapply_private.utc_today() + 1)::timestamp at time zone 'UTC')
$$;

create function autoapply_private.check_lease_seconds(p_lease_seconds int) returns interval
language plpgsql immutable set search_path = '' as $$
begin
  if p_lease_seconds is null or p_lease_seconds < 5 or p_lease_seconds > 3600 then
    raise exception 'lease must be between 5 and 3600 seconds, got %', p_lease_seconds
      using errcode = '22023';
  end if;
  return pg_catalog.make_interval(secs => p_lease_seconds);
end $$;

-- How long a retry waits after `attempts` attempts: base * 2^attempts, at most an hour.
create function autoapply_private.retry_backoff(p_attempts int) returns interval
language sql stable set search_path = '' as $$
  select least(interval '1 hour',
               pg_catalog.make_interval(secs => l.retry_backoff_base_secs) * power(2, greatest(p_attempts, 0)))
    from public.autoapply_limits l where l.id
$$;

-- The user's daily submission cap: a per-user override, else the global default.
create function autoapply_private.user_cap(p_user uuid) returns int
language sql stable set search_path = '' as $$
  select coalesce(
    (select c.daily_cap from public.user_submission_caps c where c.user_id = p_user),
    (select l.user_submissions_per_day from public.autoapply_limits l where l.id))
$$;

-- Claim at most one application: the oldest ready row of a user whose session is
-- valid, who is not paused and (for a new attempt) still has submissions left today.
-- A queued row spends an attempt; a needs_verification row spends a verification check.
create function public.claim_application(p_worker text, p_lease_seconds int default 120)
returns setof public.job_applications
language plpgsql volatile set search_path = '' as $$
declare
  v_lease interval := autoapply_private.check_lease_seconds(p_lease_seconds);
begin
  if p_worker is null or length(p_worker) = 0 or length(p_worker) > 200 then
    raise exception 'worker name must be 1 to 200 characters' using errcode = '22023';
  end if;
  return query
  with candidate as materialized (
    select a.id
      from public.job_applications a
     where a.status in ('queued', 'needs_verification')
       and a.run_at <= pg_catalog.now()
       and (a.status = 'needs_verification' or a.attempts < a.max_attempts)
       and exists (
         select 1 from public.platform_sessions s
          where s.user_id = a.user_id and s.platform = a.platform and s.status = 'valid'
            and (s.paused_until is null or s.paused_until <= pg_catalog.now()))
       and (a.status = 'needs_verification' or not exists (
         select 1 from public.user_daily_submissions d
          where d.user_id = a.user_id and d.date = autoapply_private.utc_today()
            and d.submissions >= autoapply_private.user_cap(a.user_id)))
     order by a.run_at, a.created_at, a.id
     limit 1
     for update of a skip locked
  )
  update public.job_applications t
     set status = 'claimed',
         attempts = t.attempts + case when t.status = 'queued' then 1 else 0 end,
         verification_checks = t.verification_checks
                               + case when t.status = 'needs_verification' then 1 else 0 end,
         lease_owner = p_worker,
         lease_token = pg_catalog.nextval('public.job_application_lease_seq'),
         lease_expires_at = pg_catalog.now() + v_lease
    from candidate c
   where t.id = c.id
  returning t.*;
end $$;

-- Claim one given application now (replay CLI, webhook): the same lease and fencing
-- token as claim_application. Refused (no row) when it is submitted, cancelled, or
-- held by a live lease; an expired lease is first swept. A needs_verification row
-- is claimed for a verification run, never for a new submit.
create function public.claim_application_by_id(p_id uuid, p_worker text, p_lease_seconds int default 120)
returns setof public.job_applications
language plpgsql volatile set search_path = '' as $$
declare
  v_lease interval := autoapply_private.check_lease_seconds(p_lease_seconds);
begin
  if p_worker is null or length(p_worker) = 0 or length(p_worker) > 200 then
    raise exception 'worker name must be 1 to 200 characters' using errcode = '22023';
  end if;
  perform public.rescue_expired_applications();
  return query
  update public.job_applications t
     set status = 'claimed',
         attempts = t.attempts + case when t.status = 'needs_verification' then 0 else 1 end,
         verification_checks = t.verification_checks
                               + case when t.status = 'needs_verification' then 1 else 0 end,
         lease_owner = p_worker,
         lease_token = pg_catalog.nextval('public.job_application_lease_seq'),
         lease_expires_at = pg_catalog.now() + v_lease
   where t.id = p_id
     and t.status in ('queued', 'failed', 'needs_user', 'needs_verification', 'skipped')
  returning t.*;
end $$;

-- Applications by status and reason, for metrics.
create function public.application_counts()
returns table (status text, reason text, applications bigint)
language sql stable set search_path = '' as $$
  select a.status, coalesce(a.reason, ''), count(*) from public.job_applications a group by 1, 2
$$;

-- Extend the lease of a row the caller still holds.
create function public.heartbeat_application(p_id uuid, p_token bigint, p_lease_seconds int default 120)
returns boolean
language plpgsql volatile set search_path = '' as $$
declare
  v_lease interval := autoapply_private.check_lease_seconds(p_lease_seconds);
begin
  update public.job_applications
     set lease_expires_at = pg_catalog.now() + v_lease
   where id = p_id and lease_token = p_token and status in ('claimed', 'submitting');
  return found;
end $$;

-- The global kill switch: one atomic check-and-increment of today's (UTC) count.
-- false once the day's limit is reached; never overshoots under any concurrency.
create function public.reserve_linkedin_action()
returns boolean
language plpgsql volatile set search_path = '' as $$
declare
  v_limit int;
begin
  select l.linkedin_actions_per_day into v_limit from public.autoapply_limits l where l.id;
  if v_limit is null or v_limit <= 0 then
    return false;
  end if;
  insert into public.system_daily_limits as d (date, total_linkedin_actions)
  values (autoapply_private.utc_today(), 1)
  on conflict (date) do update
     set total_linkedin_actions = d.total_linkedin_actions + 1
   where d.total_linkedin_actions < v_limit;
  return found;
end $$;

-- The platform's existing contract: count one action on a day, unconditionally.
-- Returns the day's new total. Workers use reserve_linkedin_action instead.
create function public.increment_linkedin_daily_count(action_date date)
returns int
language sql volatile set search_path = '' as $$
  insert into public.system_daily_limits as d (date, total_linkedin_actions)
  values (coalesce(action_date, autoapply_private.utc_today()), 1)
  on conflict (date) do update set total_linkedin_actions = d.total_linkedin_actions + 1
  returning total_linkedin_actions
$$;

-- Today's kill-switch figures, for metrics and a cheap "is it worth claiming" check.
create function public.linkedin_daily_status()
returns table (day date, used int, daily_limit int, remaining int)
language sql stable set search_path = '' as $$
  select t.day, t.used, l.linkedin_actions_per_day,
         greatest(l.linkedin_actions_per_day - t.used, 0)
    from (select autoapply_private.utc_today() as day,
                 coalesce((select d.total_linkedin_actions from public.system_daily_limits d
                            where d.date = autoapply_private.utc_today()), 0) as used) t
   cross join public.autoapply_limits l
   where l.id
$$;

-- The fenced gate before the Submit click: only 'ok' allows it. Reserves the user's
-- daily submission slot and moves the row to 'submitting' in one transaction.
-- Returns ok | lease_lost | user_limit | verification_required.
create function public.begin_submit(p_id uuid, p_token bigint)
returns text
language plpgsql volatile set search_path = '' as $$
declare
  v_row public.job_applications;
  v_cap int;
begin
  select * into v_row from public.job_applications
   where id = p_id and lease_token = p_token and status = 'claimed'
     and lease_expires_at > pg_catalog.now()
   for update;
  if not found then
    return 'lease_lost';
  end if;
  if v_row.verification_pending then
    return 'verification_required';
  end if;
  v_cap := autoapply_private.user_cap(v_row.user_id);
  if v_cap is null or v_cap <= 0 then
    return 'user_limit';
  end if;
  insert into public.user_daily_submissions as u (user_id, date, submissions)
  values (v_row.user_id, autoapply_private.utc_today(), 1)
  on conflict (user_id, date) do update
     set submissions = u.submissions + 1
   where u.submissions < v_cap;
  if not found then
    return 'user_limit';
  end if;
  update public.job_applications
     set status = 'submitting', submit_started_at = pg_catalog.now()
   where id = p_id;
  return 'ok';
end $$;

-- Record the outcome of a claimed row (fenced). p_status is one of
--   submitted | failed | needs_user | needs_verification | skipped | cancelled | queued
-- where 'queued' means "try again later". p_details (all optional):
--   run_at             when a retry may run (default: exponential backoff)
--   keep_attempt       true: this attempt does not count (e.g. LinkedIn's daily limit)
--   pending_questions  the questions the user must answer (needs_user)
--   screenshot_path    the evidence screenshot
--   pause_user_until   no claims for this user's applications before then
--   session_status     'expired' | 'checkpoint': mark the user's session
-- Rules: from 'submitting' a row never goes back to 'queued' (it goes to
-- needs_verification instead); a retry with no attempts left becomes 'failed';
-- a verification that still cannot tell after verification_checks_max checks
-- becomes needs_user/unverifiable.
create function public.finish_application(
  p_id uuid, p_token bigint, p_status text,
  p_reason text default null, p_error text default null, p_details jsonb default '{}'::jsonb)
returns boolean
language plpgsql volatile set search_path = '' as $$
declare
  v_row public.job_applications;
  v_details jsonb := coalesce(p_details, '{}'::jsonb);
  v_status text := p_status;
  v_reason text := p_reason;
  v_attempts int;
  v_pending boolean;
  v_checks int;
  v_run_at timestamptz;
  v_max_checks int;
begin
  if p_status is null or p_status not in
     ('submitted', 'failed', 'needs_user', 'needs_verification', 'skipped', 'cancelled', 'queued') then
    raise exception 'finish_application: % is not an outcome status', coalesce(p_status, 'null')
      using errcode = '22023';
  end if;
  if jsonb_typeof(v_details) <> 'object' then
    raise exception 'finish_application: p_details must be a JSON object' using errcode = '22023';
  end if;
  select * into v_row from public.job_applications
   where id = p_id and lease_token = p_token and status in ('claimed', 'submitting')
   for update;
  if not found then
    return false;
  end if;

  v_attempts := v_row.attempts;
  v_pending := v_row.verification_pending;
  v_checks := v_row.verification_checks;
  v_run_at := v_row.run_at;
  select l.verification_checks_max into v_max_checks from public.autoapply_limits l where l.id;

  -- After begin_submit the click may have happened: never a blind retry.
  if v_row.status = 'submitting'
     and v_status not in ('submitted', 'needs_verification', 'failed', 'needs_user') then
    v_status := 'needs_verification';
    v_reason := coalesce(v_reason, 'submit_unconfirmed');
  end if;

  if v_status = 'queued' then
    if v_pending then
      -- a verification run saw clearly that LinkedIn has no application: apply again
      v_pending := false;
      v_checks := 0;
      v_run_at := coalesce((v_details->>'run_at')::timestamptz, pg_catalog.now());
    else
      if coalesce((v_details->>'keep_attempt')::boolean, false) then
        v_attempts := greatest(v_attempts - 1, 0);
      end if;
      if v_attempts >= v_row.max_attempts then
        v_status := 'failed';
      else
        v_run_at := coalesce((v_details->>'run_at')::timestamptz,
          pg_catalog.now() + autoapply_private.retry_backoff(v_attempts));
      end if;
    end if;
  elsif v_status = 'needs_verification' then
    if v_pending and v_checks >= v_max_checks then
      v_status := 'needs_user';
      v_reason := 'unverifiable';
    else
      v_pending := true;
      v_run_at := coalesce((v_details->>'run_at')::timestamptz,
        pg_catalog.now() + least(interval '6 hours', interval '1 minute' * power(2, v_checks)));
    end if;
  elsif v_status = 'submitted' then
    v_pending := false;
  end if;

  update public.job_applications
     set status = v_status,
         reason = v_reason,
         last_error = left(p_error, 500),
         attempts = v_attempts,
         verification_pending = v_pending,
         verification_checks = v_checks,
         run_at = v_run_at,
         pending_questions = case
           when v_details ? 'pending_questions' then v_details->'pending_questions'
           when v_status = 'submitted' then null
           else pending_questions end,
         screenshot_path = coalesce(v_details->>'screenshot_path', screenshot_path),
         submitted_at = case when v_status = 'submitted' then pg_catalog.now() else submitted_at end,
         lease_owner = null,
         lease_expires_at = null
   where id = p_id;

  if v_details ? 'pause_user_until' or v_details ? 'session_status' then
    update public.platform_sessions s
       set paused_until = coalesce((v_details->>'pause_user_until')::timestamptz, s.paused_until),
           status = coalesce(v_details->>'session_status', s.status)
     where s.user_id = v_row.user_id and s.platform = v_row.platform;
  end if;
  return true;
end $$;

-- Give a claim back without spending the attempt (graceful shutdown before submit).
create function public.release_application(p_id uuid, p_token bigint)
returns boolean
language plpgsql volatile set search_path = '' as $$
begin
  update public.job_applications
     set status = case when verification_pending then 'needs_verification' else 'queued' end,
         attempts = case when verification_pending then attempts else greatest(attempts - 1, 0) end,
         verification_checks = case when verification_pending
                                    then greatest(verification_checks - 1, 0)
                                    else verification_checks end,
         run_at = pg_catalog.now(),
         lease_owner = null,
         lease_expires_at = null
   where id = p_id and lease_token = p_token and status = 'claimed';
  return found;
end $$;

-- The sweeper: expired 'claimed' leases go back to the queue with backoff (or to
-- 'failed' when the attempts are spent); expired 'submitting' leases go to
-- needs_verification, never back to 'queued'.
create function public.rescue_expired_applications()
returns table (requeued int, failed int, to_verify int)
language plpgsql volatile set search_path = '' as $$
declare
  v_requeued int;
  v_failed int;
  v_verify_claimed int;
  v_verify_submitting int;
begin
  update public.job_applications
     set status = 'queued', reason = 'lease_expired',
         last_error = 'the worker stopped renewing its lease before submitting',
         lease_owner = null, lease_expires_at = null,
         run_at = pg_catalog.now() + autoapply_private.retry_backoff(attempts)
   where status = 'claimed' and lease_expires_at < pg_catalog.now()
     and not verification_pending and attempts < max_attempts;
  get diagnostics v_requeued = row_count;

  update public.job_applications
     set status = 'failed', reason = 'lease_expired',
         last_error = 'the worker stopped renewing its lease before submitting; no attempts left',
         lease_owner = null, lease_expires_at = null
   where status = 'claimed' and lease_expires_at < pg_catalog.now()
     and not verification_pending and attempts >= max_attempts;
  get diagnostics v_failed = row_count;

  update public.job_applications
     set status = 'needs_verification', lease_owner = null, lease_expires_at = null,
         run_at = pg_catalog.now()
   where status = 'claimed' and lease_expires_at < pg_catalog.now() and verification_pending;
  get diagnostics v_verify_claimed = row_count;

  update public.job_applications
     set status = 'needs_verification', reason = 'submit_unconfirmed',
         last_error = 'the worker stopped renewing its lease while submitting; LinkedIn must be checked before any retry',
         verification_pending = true, lease_owner = null, lease_expires_at = null,
         run_at = pg_catalog.now()
   where status = 'submitting' and lease_expires_at < pg_catalog.now();
  get diagnostics v_verify_submitting = row_count;

  return query select v_requeued, v_failed, v_verify_claimed + v_verify_submitting;
end $$;

-- Retention: agent_logs rows past their expires_at. Returns how many were deleted.
create function public.purge_expired_agent_logs()
returns int
language plpgsql volatile set search_path = '' as $$
declare
  v_deleted int;
begin
  delete from public.agent_logs where expires_at < pg_catalog.now();
  get diagnostics v_deleted = row_count;
  return v_deleted;
end $$;

-- Execute for the service role only.
revoke all on function
  public.claim_application(text, int),
  public.claim_application_by_id(uuid, text, int),
  public.application_counts(),
  public.heartbeat_application(uuid, bigint, int),
  public.reserve_linkedin_action(),
  public.increment_linkedin_daily_count(date),
  public.linkedin_daily_status(),
  public.begin_submit(uuid, bigint),
  public.finish_application(uuid, bigint, text, text, text, jsonb),
  public.release_application(uuid, bigint),
  public.rescue_expired_applications(),
  public.purge_expired_agent_logs()
  from public, anon, authenticated;
grant execute on function
  public.claim_application(text, int),
  public.claim_application_by_id(uuid, text, int),
  public.application_counts(),
  public.heartbeat_application(uuid, bigint, int),
  public.reserve_linkedin_action(),
  public.increment_linkedin_daily_count(date),
  public.linkedin_daily_status(),
  public.begin_submit(uuid, bigint),
  public.finish_application(uuid, bigint, text, text, text, jsonb),
  public.release_application(uuid, bigint),
  public.rescue_expired_applications(),
  public.purge_expired_agent_logs()
  to service_role;
revoke all on all functions in schema autoapply_private from public, anon, authenticated;
grant usage on schema autoapply_private to service_role;
grant execute on all functions in schema autoapply_private to service_role;
