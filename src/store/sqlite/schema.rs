//! The embedded schema, versioned with `PRAGMA user_version`.

/// The schema version this build writes (`PRAGMA user_version`).
pub(super) const SCHEMA_VERSION: i32 = 7;

/// Version 7: a claim that can be repeated (as
/// `supabase/migrations/20261202000300_*`): the request that claimed a row, and the
/// lease token it got.
pub(super) const SCHEMA_V7: &str = r"
alter table job_applications add column claim_request text;
alter table job_applications add column claim_request_token integer;
";

/// Version 6: lease calls that can be repeated (as
/// `supabase/migrations/20261202000200_*`): the token that finished a row, and one
/// LinkedIn action per claim.
pub(super) const SCHEMA_V6: &str = r"
alter table job_applications add column finished_token integer;
alter table job_applications add column finished_as text;
create table linkedin_action_reservations (
  lease_token integer primary key,
  reserved_on text not null
);
";

/// Version 5: the receipt and the application's résumé (as
/// `supabase/migrations/20261202000100_*`).
pub(super) const SCHEMA_V5: &str = r"
alter table job_applications add column receipt text;
alter table job_applications add column resume_path text
  check (resume_path is null or length(resume_path) between 1 and 1024);
alter table job_applications add column display_language text
  check (display_language is null or length(display_language) between 2 and 16);
";

/// Version 4: exactly-once when LinkedIn lags (as `supabase/migrations/20261128000300_*`).
pub(super) const SCHEMA_V4: &str = r"
alter table autoapply_limits add column verification_settle_seconds integer not null default 900
  check (verification_settle_seconds between 0 and 86400);
alter table job_applications add column verification_not_applied_at integer;
alter table job_applications add column verification_looks text not null default '[]';
";

/// Version 3: one user is never in two browsers at once (as
/// `supabase/migrations/20261128000200_*`).
pub(super) const SCHEMA_V3: &str = r"
create unique index if not exists job_applications_one_live_per_user
  on job_applications (user_id) where status in ('claimed', 'submitting');
";

/// Version 2: the drift breaker (as `supabase/migrations/20261128000100_*`).
pub(super) const SCHEMA_V2: &str = r"
create table autoapply_drift (
  id            integer primary key check (id = 1),
  streak        integer not null default 0 check (streak >= 0),
  streak_users  text not null default '[]',
  last_reason   text,
  opened_at     integer,
  open_until    integer
);
insert into autoapply_drift (id) values (1);
";

pub(super) const SCHEMA: &str = r"
create table job_applications (
  id                   text primary key,
  user_id              text not null,
  platform             text not null default 'linkedin' check (platform in ('linkedin')),
  job_url              text not null check (length(job_url) between 1 and 2048),
  external_job_id      text not null check (length(external_job_id) between 1 and 200),
  status               text not null default 'queued' check (status in (
                         'queued', 'claimed', 'submitting', 'submitted', 'failed',
                         'needs_user', 'needs_verification', 'skipped', 'cancelled')),
  reason               text,
  attempts             integer not null default 0 check (attempts >= 0),
  max_attempts         integer not null default 3 check (max_attempts between 1 and 20),
  run_at               integer not null,
  lease_owner          text,
  lease_token          integer,
  lease_expires_at     integer,
  verification_pending integer not null default 0,
  verification_checks  integer not null default 0,
  submit_started_at    integer,
  pending_questions    text,
  last_error           text check (length(last_error) <= 500),
  screenshot_path      text,
  submitted_at         integer,
  created_at           integer not null,
  updated_at           integer not null,
  unique (user_id, platform, external_job_id)
);
create index job_applications_ready on job_applications (status, run_at, created_at);
create index job_applications_leased on job_applications (status, lease_expires_at);

create table platform_sessions (
  user_id            text not null,
  platform           text not null default 'linkedin',
  session_encrypted  text not null,
  session_iv         text not null,
  user_agent         text,
  status             text not null default 'valid' check (status in ('valid', 'expired', 'checkpoint')),
  validated_at       integer,
  paused_until       integer,
  updated_at         integer not null,
  primary key (user_id, platform)
);

create table applicant_profiles (
  user_id      text primary key,
  profile      text not null check (json_type(profile) = 'object'),
  resume_path  text,
  updated_at   integer not null
);

create table system_daily_limits (
  date                    text primary key,
  total_linkedin_actions  integer not null default 0 check (total_linkedin_actions >= 0)
);

create table autoapply_limits (
  id                        integer primary key check (id = 1),
  linkedin_actions_per_day  integer not null default 1500 check (linkedin_actions_per_day >= 0),
  user_submissions_per_day  integer not null default 25 check (user_submissions_per_day >= 0),
  verification_checks_max   integer not null default 5 check (verification_checks_max >= 1),
  retry_backoff_base_secs   integer not null default 30 check (retry_backoff_base_secs between 1 and 3600)
);
insert into autoapply_limits (id) values (1);

create table user_submission_caps (
  user_id    text primary key,
  daily_cap  integer not null check (daily_cap >= 0)
);

create table user_daily_submissions (
  user_id      text not null,
  date         text not null,
  submissions  integer not null default 0 check (submissions >= 0),
  primary key (user_id, date)
);

create table agent_logs (
  id                 integer primary key autoincrement,
  agent_name         text not null,
  user_id            text,
  application_id     text,
  status             text not null check (status in ('started', 'completed', 'failed', 'skipped')),
  duration_ms        integer,
  records_processed  integer,
  error              text check (length(error) <= 500),
  created_at         integer not null,
  expires_at         integer not null
);
create index agent_logs_expires on agent_logs (expires_at);

-- fencing tokens: one counter, never reused
create table lease_sequence (id integer primary key check (id = 1), last integer not null);
insert into lease_sequence (id, last) values (1, 0);
";
