-- autoapply: how long the oldest application a worker could claim right now has been
-- waiting since its run_at (0 when there is none), for the "queue is not being
-- taken" alert. "Could claim" is the claim's own rule (20261128000200): queued with
-- attempts left or needs_verification, run_at come, the user's session valid and not
-- paused, the user under their daily cap. It leaves out the fleet-wide stops (the
-- daily kill switch, the drift breaker), which have alerts of their own, and the
-- one-browser-per-user rule, which holds a row only while another of the user's runs.

create function public.oldest_claimable_seconds()
returns double precision
language sql stable set search_path = '' as $$
  select coalesce(max(extract(epoch from (pg_catalog.now() - a.run_at))), 0)::double precision
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
$$;

revoke all on function public.oldest_claimable_seconds() from public, anon, authenticated;
grant execute on function public.oldest_claimable_seconds() to service_role;
