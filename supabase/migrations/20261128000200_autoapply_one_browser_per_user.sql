-- autoapply: one user is never in two browsers at once, across the whole fleet, and a
-- claim by id takes only a claimable row of a user whose session is valid and not paused.
--
-- A row is "in a browser" while it is 'claimed' or 'submitting'. The partial unique
-- index makes a second such row of one user impossible, whichever worker (loop,
-- webhook, replay) and whichever server tries; the claim functions skip users who
-- already have one, and a claim that loses a race to another worker gets the index's
-- unique_violation, which they turn into "nothing claimed" (the loop looks again).
-- Creating the index fails if a user already has two live rows: let them finish (or
-- expire and be swept) first.
create unique index job_applications_one_live_per_user
  on public.job_applications (user_id) where status in ('claimed', 'submitting');

-- As in 20261122000200_autoapply_queue_functions.sql, plus: users with a live row are
-- skipped, and a lost race (unique_violation) is retried with a fresh snapshot, up to
-- three times, then answered with no row. CREATE OR REPLACE keeps the grants.
create or replace function public.claim_application(p_worker text, p_lease_seconds int default 120)
returns setof public.job_applications
language plpgsql volatile set search_path = '' as $$
declare
  v_lease interval := autoapply_private.check_lease_seconds(p_lease_seconds);
  v_try int := 0;
  v_row public.job_applications;
begin
  if p_worker is null or length(p_worker) = 0 or length(p_worker) > 200 then
    raise exception 'worker name must be 1 to 200 characters' using errcode = '22023';
  end if;
  loop
    v_try := v_try + 1;
    begin
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
           and not exists (
             select 1 from public.job_applications b
              where b.user_id = a.user_id and b.status in ('claimed', 'submitting'))
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
      returning t.* into v_row;
      if v_row.id is not null then
        return next v_row;
      end if;
      return;
    exception when unique_violation then
      -- another worker took this user's other row first
      if v_try >= 3 then
        return;
      end if;
    end;
  end loop;
end $$;

-- Claim one given application now. p_operator = false (the webhook): only a row the
-- loop could claim — 'queued' with attempts left, or 'needs_verification'. p_operator =
-- true (`autoapply replay`): also 'failed', 'needs_user' and 'skipped'. Either way the
-- user's session must be valid and not paused, and the user must have no live row. A
-- needs_verification row only once its run_at has come (a verification's looks keep
-- their schedule, see 20261128000300).
-- Never a submitted, cancelled or live row. An expired lease is first swept.
drop function public.claim_application_by_id(uuid, text, int);
create function public.claim_application_by_id(
  p_id uuid, p_worker text, p_lease_seconds int default 120, p_operator boolean default false)
returns setof public.job_applications
language plpgsql volatile set search_path = '' as $$
declare
  v_lease interval := autoapply_private.check_lease_seconds(p_lease_seconds);
begin
  if p_worker is null or length(p_worker) = 0 or length(p_worker) > 200 then
    raise exception 'worker name must be 1 to 200 characters' using errcode = '22023';
  end if;
  perform public.rescue_expired_applications();
  begin
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
       and ((t.status = 'needs_verification' and t.run_at <= pg_catalog.now())
            or (t.status = 'queued' and (p_operator or t.attempts < t.max_attempts))
            or (p_operator and t.status in ('failed', 'needs_user', 'skipped')))
       and exists (
         select 1 from public.platform_sessions s
          where s.user_id = t.user_id and s.platform = t.platform and s.status = 'valid'
            and (s.paused_until is null or s.paused_until <= pg_catalog.now()))
       and not exists (
         select 1 from public.job_applications b
          where b.user_id = t.user_id and b.status in ('claimed', 'submitting'))
    returning t.*;
  exception when unique_violation then
    return;
  end;
end $$;

revoke all on function public.claim_application_by_id(uuid, text, int, boolean)
  from public, anon, authenticated;
grant execute on function public.claim_application_by_id(uuid, text, int, boolean)
  to service_role;
