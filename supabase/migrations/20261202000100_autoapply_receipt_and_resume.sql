-- autoapply: what was sent, and the résumé an application names (issue 24).
--   - job_applications.receipt: what a submitted application sent, for the platform to
--     show the user (every question's text and the answer given, the résumé's file
--     name, the follow choice); written by finish_application from p_details->'receipt'
--     and never holding a cookie, key or session value;
--   - job_applications.resume_path: the résumé the platform chose for this application
--     (a file of the worker's résumé folder). When set, that résumé is the one sent:
--     LinkedIn's card of the same name is selected, else the file is uploaded. When
--     null, LinkedIn's selected card is kept (the profile's file is uploaded only where
--     LinkedIn has none).
--   - p_details.keep_attempt now also applies to needs_user (a display language without
--     texts ends there before any click: no attempt is spent);
--   - job_applications.display_language: the page's display language the last run read
--     (p_details->>'display_language').
-- finish_application is restated with these keys; everything else is as in
-- 20261128000300_autoapply_verification_settle.sql. CREATE OR REPLACE keeps the grants.

alter table public.job_applications
  add column receipt jsonb,
  add column resume_path text check (resume_path is null or length(resume_path) between 1 and 1024),
  add column display_language text check (display_language is null or length(display_language) between 2 and 16);

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
  v_settle interval;
  v_not_applied_at timestamptz;
  v_looks jsonb;
  v_look text := p_details->>'verification_look';
  v_scheduled boolean := false;
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
  select l.verification_checks_max, pg_catalog.make_interval(secs => l.verification_settle_seconds)
    into v_max_checks, v_settle from public.autoapply_limits l where l.id;
  v_not_applied_at := v_row.verification_not_applied_at;
  v_looks := v_row.verification_looks;
  if v_look is not null then
    if v_look not in ('applied', 'not_applied', 'unclear') then
      raise exception 'finish_application: verification_look % is not applied, not_applied or unclear', v_look
        using errcode = '22023';
    end if;
    -- the timeline of looks, the last 20
    v_looks := v_looks || pg_catalog.jsonb_build_array(pg_catalog.jsonb_build_object(
      'at', pg_catalog.now(), 'saw', v_look, 'by', v_row.lease_owner));
    if pg_catalog.jsonb_array_length(v_looks) > 20 then
      v_looks := v_looks - 0;
    end if;
  end if;

  -- After begin_submit the click may have happened: never a blind retry.
  if v_row.status = 'submitting'
     and v_status not in ('submitted', 'needs_verification', 'failed', 'needs_user') then
    v_status := 'needs_verification';
    v_reason := coalesce(v_reason, 'submit_unconfirmed');
  end if;

  -- A verification run (the row is verification_pending) concludes "not applied" only
  -- from two looks that saw no application a settle time apart; anything else it ends
  -- with (a crash, a timeout) is no conclusion: it is verified again.
  if v_status = 'queued' and v_pending then
    if v_look = 'not_applied' and v_not_applied_at is not null
       and v_not_applied_at + v_settle <= pg_catalog.now() then
      -- two looks a settle time apart saw no application: apply again
      v_pending := false;
      v_checks := 0;
      v_not_applied_at := null;
      v_run_at := coalesce((v_details->>'run_at')::timestamptz, pg_catalog.now());
      v_scheduled := true;
    elsif v_look = 'not_applied' then
      -- the first look that saw none; LinkedIn's "Applied" can lag
      v_not_applied_at := coalesce(v_not_applied_at, pg_catalog.now());
      v_status := 'needs_verification';
      v_reason := 'verification_second_look';
      p_error := 'LinkedIn showed no application at this look; its "Applied" state can lag, '
        || 'so a second look a settle time later decides';
      v_run_at := v_not_applied_at + v_settle;
      v_scheduled := true;
    else
      v_status := 'needs_verification';
      v_reason := coalesce(v_reason, 'verification_inconclusive');
    end if;
  end if;

  -- an ending that tried nothing (a display language the worker has no texts for:
  -- nothing was clicked) spends no attempt
  if v_status = 'needs_user' and coalesce((v_details->>'keep_attempt')::boolean, false) then
    v_attempts := greatest(v_attempts - 1, 0);
  end if;

  if v_status = 'queued' and not v_scheduled then
    if coalesce((v_details->>'keep_attempt')::boolean, false) then
      v_attempts := greatest(v_attempts - 1, 0);
    end if;
    if v_attempts >= v_row.max_attempts then
      v_status := 'failed';
    else
      v_run_at := coalesce((v_details->>'run_at')::timestamptz,
        pg_catalog.now() + autoapply_private.retry_backoff(v_attempts));
    end if;
  elsif v_status = 'needs_verification' and not v_scheduled then
    if v_pending and v_checks >= v_max_checks then
      v_status := 'needs_user';
      v_reason := 'unverifiable';
    else
      v_pending := true;
      -- never a first look before the settle time after the submit began
      v_run_at := coalesce((v_details->>'run_at')::timestamptz,
        greatest(
          pg_catalog.now() + least(interval '6 hours', interval '1 minute' * power(2, v_checks)),
          coalesce(v_row.submit_started_at, pg_catalog.now()) + v_settle));
    end if;
  elsif v_status = 'submitted' then
    v_pending := false;
    v_not_applied_at := null;
  end if;

  update public.job_applications
     set status = v_status,
         reason = v_reason,
         last_error = left(p_error, 500),
         attempts = v_attempts,
         verification_pending = v_pending,
         verification_checks = v_checks,
         verification_not_applied_at = v_not_applied_at,
         verification_looks = v_looks,
         run_at = v_run_at,
         pending_questions = case
           when v_details ? 'pending_questions' then v_details->'pending_questions'
           when v_status = 'submitted' then null
           else pending_questions end,
         screenshot_path = coalesce(v_details->>'screenshot_path', screenshot_path),
         receipt = case when v_details ? 'receipt' then v_details->'receipt' else receipt end,
         display_language = coalesce(v_details->>'display_language', display_language),
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
