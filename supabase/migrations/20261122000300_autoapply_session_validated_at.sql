-- finish_application also records when LinkedIn last accepted the user's session.
--
-- p_details gains one optional key:
--   session_validated_at  LinkedIn showed the user logged in at this time:
--                         platform_sessions.validated_at moves forward to it (never
--                         back); the session's status is left as it is, so a session
--                         another attempt has just found dead stays marked dead.
-- Everything else is as in 20261122000200_autoapply_queue_functions.sql. CREATE OR
-- REPLACE keeps the function's owner and grants (service_role only).
create or replace function public.finish_application(
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

  if v_details ? 'pause_user_until' or v_details ? 'session_status'
     or v_details ? 'session_validated_at' then
    update public.platform_sessions s
       set paused_until = coalesce((v_details->>'pause_user_until')::timestamptz, s.paused_until),
           status = coalesce(v_details->>'session_status', s.status),
           validated_at = greatest(s.validated_at, (v_details->>'session_validated_at')::timestamptz)
     where s.user_id = v_row.user_id and s.platform = v_row.platform;
  end if;
  return true;
end $$;
