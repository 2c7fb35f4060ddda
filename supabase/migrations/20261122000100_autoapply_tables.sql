-- autoapply: tables of the auto-apply worker.
--
-- The gateway and the platform's other agents depend on these names; keep them.
-- Supabase provides the roles anon, authenticated and service_role; a plain
-- PostgreSQL (the test cluster) creates them before applying these files.
-- Every table has row level security on and no policy for anon/authenticated, and
-- their table privileges are revoked: only the service role reads or writes.

create schema if not exists autoapply_private;
revoke all on schema autoapply_private from public;

-- Fencing tokens: one global sequence, so a token is never reused across rows.
create sequence if not exists public.job_application_lease_seq;

create table public.job_applications (
  id                   uuid primary key default gen_random_uuid(),
  user_id              uuid not null,
  platform             text not null default 'linkedin' check (platform in ('linkedin')),
  job_url              text not null check (length(job_url) between 1 and 2048),
  external_job_id      text not null check (length(external_job_id) between 1 and 200),
  status               text not null default 'queued' check (status in (
                         'queued', 'claimed', 'submitting', 'submitted', 'failed',
                         'needs_user', 'needs_verification', 'skipped', 'cancelled')),
  -- machine-readable cause of the current status, e.g. already_applied,
  -- unknown_questions, session_expired, lease_expired, validation_error
  reason               text,
  attempts             int not null default 0 check (attempts >= 0),
  max_attempts         int not null default 3 check (max_attempts between 1 and 20),
  run_at               timestamptz not null default now(),
  lease_owner          text,
  lease_token          bigint,
  lease_expires_at     timestamptz,
  -- true from the moment a submit may have reached LinkedIn without a recorded
  -- outcome until a verification run settles it: begin_submit refuses such a row
  verification_pending boolean not null default false,
  verification_checks  int not null default 0,
  submit_started_at    timestamptz,
  pending_questions    jsonb,
  last_error           text check (length(last_error) <= 500),
  screenshot_path      text,
  submitted_at         timestamptz,
  created_at           timestamptz not null default now(),
  updated_at           timestamptz not null default now(),
  constraint job_applications_one_per_job unique (user_id, platform, external_job_id)
);
create index job_applications_ready on public.job_applications (run_at, created_at)
  where status in ('queued', 'needs_verification');
create index job_applications_leased on public.job_applications (lease_expires_at)
  where status in ('claimed', 'submitting');
create index job_applications_user on public.job_applications (user_id, status);

create table public.platform_sessions (
  user_id            uuid not null,
  platform           text not null default 'linkedin',
  session_encrypted  text not null,
  session_iv         text not null,
  user_agent         text,
  status             text not null default 'valid' check (status in ('valid', 'expired', 'checkpoint')),
  validated_at       timestamptz,
  -- LinkedIn said "daily limit" (or the per-user cap was hit): no claims before this
  paused_until       timestamptz,
  updated_at         timestamptz not null default now(),
  primary key (user_id, platform)
);

create table public.applicant_profiles (
  user_id      uuid primary key,
  profile      jsonb not null default '{}'::jsonb check (jsonb_typeof(profile) = 'object'),
  resume_path  text,
  updated_at   timestamptz not null default now()
);

-- The platform's existing kill-switch contract: one row per UTC day.
create table public.system_daily_limits (
  date                    date primary key,
  total_linkedin_actions  int not null default 0 check (total_linkedin_actions >= 0)
);

-- The limits every worker agrees on; one row (id = true).
create table public.autoapply_limits (
  id                              boolean primary key default true check (id),
  linkedin_actions_per_day        int not null default 1500 check (linkedin_actions_per_day >= 0),
  user_submissions_per_day        int not null default 25 check (user_submissions_per_day >= 0),
  verification_checks_max         int not null default 5 check (verification_checks_max >= 1),
  -- a retry waits base * 2^attempts seconds (at most an hour)
  retry_backoff_base_secs         int not null default 30 check (retry_backoff_base_secs between 1 and 3600),
  updated_at                      timestamptz not null default now()
);
insert into public.autoapply_limits (id) values (true);

-- Optional per-user override of user_submissions_per_day.
create table public.user_submission_caps (
  user_id    uuid primary key,
  daily_cap  int not null check (daily_cap >= 0)
);

-- Submissions per user per UTC day, reserved by begin_submit.
create table public.user_daily_submissions (
  user_id      uuid not null,
  date         date not null,
  submissions  int not null default 0 check (submissions >= 0),
  primary key (user_id, date)
);

create table public.agent_logs (
  id                 bigint generated always as identity primary key,
  agent_name         text not null,
  user_id            uuid,
  application_id     uuid,
  status             text not null check (status in ('started', 'completed', 'failed', 'skipped')),
  duration_ms        bigint,
  records_processed  int,
  error              text check (length(error) <= 500),
  created_at         timestamptz not null default now(),
  expires_at         timestamptz not null
);
create index agent_logs_expires on public.agent_logs (expires_at);
create index agent_logs_application on public.agent_logs (application_id);

-- updated_at maintenance
create function autoapply_private.touch_updated_at() returns trigger
language plpgsql as $$
begin
  new.updated_at := now();
  return new;
end $$;
create trigger job_applications_touch before update on public.job_applications
  for each row execute function autoapply_private.touch_updated_at();
create trigger platform_sessions_touch before update on public.platform_sessions
  for each row execute function autoapply_private.touch_updated_at();
create trigger applicant_profiles_touch before update on public.applicant_profiles
  for each row execute function autoapply_private.touch_updated_at();

-- Privileges: service_role only.
do $$
declare t text;
begin
  foreach t in array array['job_applications', 'platform_sessions', 'applicant_profiles',
                           'system_daily_limits', 'autoapply_limits', 'user_submission_caps',
                           'user_daily_submissions', 'agent_logs'] loop
    execute format('alter table public.%I enable row level security', t);
    execute format('revoke all on table public.%I from public, anon, authenticated', t);
    execute format('grant select, insert, update, delete on table public.%I to service_role', t);
  end loop;
end $$;
revoke all on sequence public.job_application_lease_seq from public, anon, authenticated;
grant usage on sequence public.job_application_lease_seq to service_role;
grant usage, select on sequence public.agent_logs_id_seq to service_role;
