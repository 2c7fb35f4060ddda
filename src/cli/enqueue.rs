//! `autoapply enqueue`: applications, an encrypted session and a profile into the
//! configured store, every input checked before anything is written.

use std::{io::Read as _, path::PathBuf, process::ExitCode};

use clap::Args;
use time::OffsetDateTime;

use crate::{
    config::{Config, Uses},
    domain::{Platform, UserId},
    exit::{self, Failure},
    session,
    site::SiteSpec,
    store::{AnyStore, Store as _},
};

/// Arguments of `enqueue`.
#[derive(Debug, Args)]
pub struct EnqueueArgs {
    /// the job seeker (a UUID; the platform's user id, or any UUID you choose)
    #[arg(long, value_name = "UUID")]
    pub user_id: String,
    /// a job to apply to: its LinkedIn job URL (the site file's `job_path`, e.g.
    /// …/jobs/view/<id>/) or just the job id; repeat for several
    #[arg(long = "job", value_name = "URL|ID")]
    pub jobs: Vec<String>,
    /// the user's LinkedIn cookies as exported from their browser (JSON: an array of
    /// cookies, or {"cookies": [...], "user_agent": "..."}); `-` reads standard input
    #[arg(long, value_name = "FILE")]
    pub cookies: Option<PathBuf>,
    /// the user agent of the browser the cookies come from (LinkedIn may drop a
    /// session used from another one)
    #[arg(long, value_name = "UA")]
    pub user_agent: Option<String>,
    /// the applicant profile (JSON, the documented schema)
    #[arg(long, value_name = "FILE")]
    pub profile: Option<PathBuf>,
    /// the résumé to upload (with --profile)
    #[arg(long, value_name = "FILE", requires = "profile")]
    pub resume: Option<PathBuf>,
    /// the résumé these applications send (a file of the résumé folder): LinkedIn's
    /// card of the same name is selected, else it is uploaded; without it LinkedIn's
    /// selected résumé is kept
    #[arg(long, value_name = "FILE", requires = "jobs")]
    pub job_resume: Option<PathBuf>,
    /// attempts allowed per application
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(i32).range(1..=20))]
    pub max_attempts: i32,
}

/// The job id of `--job`: a bare id, or the id in a job URL of the site.
fn job_id(site: &SiteSpec, input: &str) -> Result<String, Failure> {
    site.job_id(input).ok_or_else(|| {
        let example = site
            .job_url("4012345678")
            .map_or_else(String::new, |u| format!(" like {u}"));
        Failure::new(
            exit::USAGE,
            format!(
                "--job {:?}: expected a LinkedIn job URL{example} or the job id",
                input.trim()
            ),
        )
    })
}

fn read_input(path: &std::path::Path) -> Result<zeroize::Zeroizing<Vec<u8>>, Failure> {
    let mut bytes = zeroize::Zeroizing::new(Vec::new());
    let result = if path.as_os_str() == "-" {
        std::io::stdin().read_to_end(&mut bytes).map(drop)
    } else {
        std::fs::File::open(path).and_then(|mut f| f.read_to_end(&mut bytes).map(drop))
    };
    result
        .map_err(|e| Failure::new(exit::USAGE, format!("cannot read {}: {e}", path.display())))?;
    Ok(bytes)
}

/// What `enqueue` will write, every input read and checked.
struct Inputs {
    user: UserId,
    site: SiteSpec,
    jobs: Vec<String>,
    /// the sealed export, its cookie count, whether a user agent is known
    session: Option<(session::SealedExport, bool)>,
    /// the profile as given, and the résumé's absolute path
    profile: Option<(serde_json::Value, Option<String>)>,
    /// `--job-resume`, resolved
    job_resume: Option<String>,
}

pub(super) async fn enqueue(args: EnqueueArgs) -> Result<ExitCode, Failure> {
    let user =
        UserId::parse(&args.user_id).map_err(|e| Failure::new(exit::USAGE, e.to_string()))?;
    if args.jobs.is_empty() && args.cookies.is_none() && args.profile.is_none() {
        return Err(Failure::new(
            exit::USAGE,
            "nothing to do: give --job, --cookies and/or --profile",
        ));
    }
    // the key only when there is a session to seal; never the webhook's secret
    let uses = if args.cookies.is_some() {
        Uses::SESSIONS
    } else {
        Uses::STORE
    };
    let (config, _) = Config::from_process_env_for(uses);
    let config = config.map_err(|e| Failure::new(exit::CONFIG, e.to_string()))?;
    let inputs = read_inputs(&args, user, &config)?;
    let store =
        AnyStore::from_config(&config).map_err(|e| Failure::new(exit::STORE, e.to_string()))?;
    write(&store, inputs, &args).await?;
    Ok(ExitCode::from(exit::OK))
}

/// Reads and checks every input before anything is written.
fn read_inputs(args: &EnqueueArgs, user: UserId, config: &Config) -> Result<Inputs, Failure> {
    config.selectors.announce();
    let site = config
        .selectors
        .load(Platform::Linkedin.as_str())
        .map_err(|e| Failure::new(exit::CONFIG, e.to_string()))?;
    let jobs = args
        .jobs
        .iter()
        .map(|j| job_id(&site, j))
        .collect::<Result<Vec<_>, _>>()?;
    let session = match &args.cookies {
        None => None,
        Some(path) => {
            let export = session::seal_export(
                path,
                config
                    .session_key()
                    .map_err(|e| Failure::new(exit::CONFIG, e.to_string()))?,
                config.session_encoding,
                &site.session.required_cookies,
                OffsetDateTime::now_utc(),
            )
            .map_err(|e| {
                let code = match e {
                    session::ExportError::Unusable { .. } => exit::SESSION_UNUSABLE,
                    _ => exit::USAGE,
                };
                Failure::new(code, e.to_string())
            })?;
            let has_ua = export.has_user_agent || args.user_agent.is_some();
            Some((export, has_ua))
        }
    };
    let profile = match &args.profile {
        None => None,
        Some(path) => Some((
            read_profile(path)?,
            resume_path(&config.resume_dir, args.resume.as_deref(), "--resume")?,
        )),
    };
    let job_resume = resume_path(
        &config.resume_dir,
        args.job_resume.as_deref(),
        "--job-resume",
    )?;
    Ok(Inputs {
        job_resume,
        user,
        site,
        jobs,
        session,
        profile,
    })
}

/// The profile file, checked against the schema (the error names the file and
/// the problem, never a value).
fn read_profile(path: &std::path::Path) -> Result<serde_json::Value, Failure> {
    let bytes = read_input(path)?;
    let value: serde_json::Value = serde_json::from_slice(&bytes).map_err(|e| {
        Failure::new(
            exit::USAGE,
            format!(
                "{}: not JSON (line {}, column {})",
                path.display(),
                e.line(),
                e.column()
            ),
        )
    })?;
    crate::domain::ApplicantProfile::from_json(&value)
        .map_err(|e| Failure::new(exit::USAGE, format!("{}: {e}", path.display())))?;
    Ok(value)
}

/// `--resume` or `--job-resume` (`flag`), resolved: a PDF/DOC/DOCX regular file of
/// at most 2 MiB inside `AUTOAPPLY_RESUME_DIR` (the worker uploads nothing else).
fn resume_path(
    folder: &std::path::Path,
    resume: Option<&std::path::Path>,
    flag: &str,
) -> Result<Option<String>, Failure> {
    let Some(r) = resume else {
        return Ok(None);
    };
    let resolved = crate::resume::confine(folder, r)
        .map_err(|e| Failure::new(exit::USAGE, format!("{flag}: {e}")))?;
    Ok(Some(resolved.display().to_string()))
}

/// Writes the session, the profile and the applications, saying what it did.
async fn write(store: &AnyStore, inputs: Inputs, args: &EnqueueArgs) -> Result<(), Failure> {
    use crate::store::{Enqueued, NewApplication, NewSession, StoreAdmin as _};

    let store_err = |e: crate::store::StoreError| Failure::new(exit::STORE, e.to_string());
    let user = inputs.user;
    println!("store: {}", store.describe());
    if let Some((export, has_ua)) = inputs.session {
        let cookies = export.cookies;
        store
            .put_session(&NewSession {
                user_id: user,
                platform: Platform::Linkedin,
                sealed: export.sealed,
                user_agent: args.user_agent.clone(),
            })
            .await
            .map_err(store_err)?;
        println!(
            "session: stored for user {user} ({cookies} cookies, encrypted; user agent {})",
            if has_ua { "present" } else { "absent" }
        );
    }
    if let Some((value, resume)) = inputs.profile {
        store
            .put_profile(user, &value, resume.as_deref())
            .await
            .map_err(store_err)?;
        println!(
            "profile: stored for user {user}{}",
            resume.map(|r| format!(" (résumé {r})")).unwrap_or_default()
        );
    }
    for id in inputs.jobs {
        let new =
            NewApplication {
                user_id: user,
                job_url: inputs.site.job_url(&id).map(String::from).ok_or_else(|| {
                    Failure::new(exit::CONFIG, "job_path: cannot build a job URL")
                })?,
                external_job_id: id.clone(),
                max_attempts: args.max_attempts,
                resume_path: inputs.job_resume.clone(),
            };
        match store.enqueue(&new).await.map_err(store_err)? {
            Enqueued::Added(row) => println!("queued:  job {id} as application {}", row.id),
            Enqueued::Exists(row) => println!(
                "exists:  job {id} is application {} ({}): not queued again",
                row.id, row.status
            ),
        }
    }
    if store
        .session(user, Platform::Linkedin)
        .await
        .map_err(store_err)?
        .is_none()
    {
        println!("note:    user {user} has no stored session yet: add one with --cookies");
    }
    Ok(())
}
