//! The real `autoapply run` binary as a child process, against real PostgREST, the
//! replica and real Chromium on Xvfb: exactly-once submission, the kill switch,
//! crashes, shutdown and a database outage.

use std::{collections::BTreeMap, time::Duration};

use crate::support::{
    apply::{BROWSER, ada_profile, apply_env},
    daemon::{browsers_under, wait_for_request},
};

const COOKIE: &str = "AQEDADaemonSessionCookie-19c2";

fn submissions_per_job(replica: &autoapply::replica::Replica) -> BTreeMap<u64, usize> {
    let mut per_job = BTreeMap::new();
    for s in replica.submissions() {
        *per_job.entry(s.job_id).or_default() += 1;
    }
    per_job
}

fn assert_no_browser_left(env: &crate::support::apply::ApplyEnv) {
    assert!(
        browsers_under(&env.runtime).is_empty(),
        "browser processes left"
    );
    let profiles = std::fs::read_dir(env.runtime.join("profiles"))
        .map(|d| d.count())
        .unwrap_or(0);
    assert_eq!(profiles, 0, "profile directories left");
}

#[tokio::test]
async fn twenty_applications_are_each_submitted_exactly_once_and_logged() {
    let _one = BROWSER.lock().await;
    let env = apply_env().await;
    let ada = env.seed_user(&ada_profile(), COOKIE);
    let bob = env.seed_user(&ada_profile(), "AQEDAbobCookie");
    env.seed_jobs(ada, 2001..=2010);
    env.seed_jobs(bob, 2011..=2020);
    let mut daemon = env.spawn_daemon("solo", &[]);
    env.wait_for_count(
        "select count(*) from job_applications where status = 'submitted'",
        "20",
        Duration::from_secs(240),
    )
    .await;
    // each outcome is recorded while its browser is torn down; the run's end row after
    env.wait_for_count(
        "select count(*) from agent_logs where status = 'completed'",
        "20",
        Duration::from_secs(30),
    )
    .await;

    let per_job = submissions_per_job(&env.replica);
    assert_eq!(per_job.len(), 20);
    assert!(per_job.values().all(|n| *n == 1), "{per_job:?}");
    assert_eq!(
        per_job.keys().copied().collect::<Vec<_>>(),
        (2001..=2020).collect::<Vec<_>>()
    );
    assert_eq!(
        env.app.sql(
            "select status || ':' || count(*) from agent_logs group by status order by status"
        ),
        "completed:20\nstarted:20"
    );
    assert_eq!(
        env.app.sql("select count(*) from agent_logs where status = 'completed' and duration_ms > 0 and records_processed = 1 and expires_at > now() + interval '71 hours' and expires_at < now() + interval '73 hours'"),
        "20"
    );
    assert_eq!(
        env.app
            .sql("select sum(total_linkedin_actions) from system_daily_limits"),
        "20"
    );

    daemon.signal(libc::SIGTERM);
    let status = daemon
        .wait_exit(Duration::from_secs(30))
        .await
        .expect("exits after SIGTERM");
    assert!(status.success(), "{status:?}\n{}", daemon.logs());
    assert_no_browser_left(&env);
    assert!(
        !daemon.logs().contains(COOKIE) && !daemon.logs().contains(&env.key_hex),
        "no secret in the daemon's logs"
    );
}

#[tokio::test]
async fn two_daemons_share_forty_applications_without_a_duplicate() {
    let _one = BROWSER.lock().await;
    let env = apply_env().await;
    for (u, range) in [
        (0u64, 2101..=2110),
        (1, 2111..=2120),
        (2, 2121..=2130),
        (3, 2131..=2140),
    ] {
        let user = env.seed_user(&ada_profile(), &format!("AQEDAuser{u}"));
        env.seed_jobs(user, range);
    }
    let mut a = env.spawn_daemon("alpha", &[]);
    let mut b = env.spawn_daemon("beta", &[]);
    env.wait_for_count(
        "select count(*) from job_applications where status = 'submitted'",
        "40",
        Duration::from_secs(420),
    )
    .await;
    env.wait_for_count(
        "select count(*) from agent_logs where status = 'completed'",
        "40",
        Duration::from_secs(30),
    )
    .await;
    let per_job = submissions_per_job(&env.replica);
    assert_eq!(per_job.len(), 40);
    assert!(
        per_job.values().all(|n| *n == 1),
        "a job was submitted twice: {per_job:?}"
    );
    assert_eq!(
        env.app
            .sql("select count(*) from agent_logs where status = 'completed'"),
        "40"
    );
    for d in [&mut a, &mut b] {
        d.stop().await;
    }
    let (la, lb) = (a.logs(), b.logs());
    assert!(
        la.contains("application finished") && lb.contains("application finished"),
        "both daemons worked"
    );
    assert_no_browser_left(&env);
}

#[tokio::test]
async fn the_global_limit_stops_every_linkedin_action_after_five() {
    let _one = BROWSER.lock().await;
    let env = apply_env().await;
    env.app
        .sql("update autoapply_limits set linkedin_actions_per_day = 5");
    let user = env.seed_user(&ada_profile(), COOKIE);
    env.seed_jobs(user, 2201..=2208);
    let mut daemon = env.spawn_daemon("limited", &[]);
    env.wait_for_count(
        "select count(*) from job_applications where status = 'submitted'",
        "5",
        Duration::from_secs(120),
    )
    .await;
    // give it time to (wrongly) go on
    tokio::time::sleep(Duration::from_secs(5)).await;
    assert_eq!(
        env.app
            .sql("select sum(total_linkedin_actions) from system_daily_limits"),
        "5"
    );
    assert_eq!(env.replica.submissions().len(), 5, "the replica saw five");
    assert_eq!(
        env.app.sql("select status || ':' || attempts || ':' || count(*) from job_applications group by status, attempts order by status"),
        "queued:0:3\nsubmitted:1:5",
        "the rest wait, with no attempt spent"
    );
    assert_eq!(
        daemon
            .logs()
            .matches("the global LinkedIn limit for today is reached")
            .count(),
        1,
        "logged once"
    );
    daemon.stop().await;
}

#[tokio::test]
async fn a_daemon_killed_before_submit_is_taken_over_exactly_once() {
    let _one = BROWSER.lock().await;
    let env = apply_env().await;
    env.app
        .sql("update autoapply_limits set retry_backoff_base_secs = 1");
    let user = env.seed_user(&ada_profile(), COOKIE);
    env.seed_jobs(user, [3001]);
    let fast_lease = [
        ("AUTOAPPLY_LEASE_SECS", "5"),
        ("AUTOAPPLY_PACING_SCALE", "0.3"),
    ];
    let mut first = env.spawn_daemon("doomed", &fast_lease);
    wait_for_request(&env.replica, "/jobs/view/3001", Duration::from_secs(60)).await;
    first.crash();
    assert_eq!(
        env.app.sql("select status from job_applications"),
        "claimed"
    );
    let mut second = env.spawn_daemon("survivor", &fast_lease);
    env.wait_for_count(
        "select count(*) from job_applications where status = 'submitted'",
        "1",
        Duration::from_secs(90),
    )
    .await;
    assert_eq!(submissions_per_job(&env.replica).get(&3001), Some(&1));
    assert_eq!(env.app.sql("select attempts from job_applications"), "2");
    second.stop().await;
}

#[tokio::test]
async fn a_daemon_killed_after_the_submit_click_is_verified_not_resubmitted() {
    let _one = BROWSER.lock().await;
    let env = apply_env().await;
    // LinkedIn shows the application at once here: a short settle time
    env.app
        .sql("update autoapply_limits set verification_settle_seconds = 2");
    let user = env.seed_user(&ada_profile(), COOKIE);
    env.seed_jobs(user, [2301]);
    env.replica.set_confirm_delay(Duration::from_secs(30));
    let fast_lease = [("AUTOAPPLY_LEASE_SECS", "5")];
    let mut first = env.spawn_daemon("clicker", &fast_lease);
    crate::support::daemon::wait_for_submission(&env.replica, Duration::from_secs(60)).await;
    first.crash();
    assert_eq!(
        env.app.sql("select status from job_applications"),
        "submitting"
    );
    env.replica.set_confirm_delay(Duration::ZERO);
    let mut second = env.spawn_daemon("verifier", &fast_lease);
    env.wait_for_count(
        "select status || ':' || reason from job_applications",
        "submitted:verified_applied",
        Duration::from_secs(90),
    )
    .await;
    assert_eq!(env.replica.submissions().len(), 1, "exactly one submission");
    assert!(
        second.logs().contains("expired leases rescued"),
        "the sweeper moved it to verification"
    );
    second.stop().await;
}

#[tokio::test]
async fn sigterm_mid_application_releases_the_claim_and_exits_cleanly() {
    let _one = BROWSER.lock().await;
    let env = apply_env().await;
    let user = env.seed_user(&ada_profile(), COOKIE);
    env.seed_jobs(user, [3002]);
    let mut daemon = env.spawn_daemon(
        "stopping",
        &[("AUTOAPPLY_PACING_SCALE", "0.5"), ("RUST_LOG", "debug")],
    );
    wait_for_request(&env.replica, "/jobs/view/3002", Duration::from_secs(60)).await;
    let sent = std::time::Instant::now();
    daemon.signal(libc::SIGTERM);
    let status = daemon
        .wait_exit(Duration::from_secs(30))
        .await
        .expect("exits within the stop timeout");
    assert!(status.success(), "{status:?}\n{}", daemon.logs());
    assert!(sent.elapsed() < Duration::from_secs(20));
    assert_eq!(
        env.app
            .sql("select status || ':' || attempts from job_applications"),
        "queued:0",
        "claim released, no attempt spent"
    );
    assert!(env.replica.submissions().is_empty());
    assert_eq!(
        env.app
            .sql("select string_agg(status, ',' order by id) from agent_logs"),
        "started,skipped"
    );
    assert_no_browser_left(&env);
}

#[tokio::test]
async fn a_killed_browser_fails_its_application_and_the_daemon_goes_on() {
    let _one = BROWSER.lock().await;
    let env = apply_env().await;
    let user = env.seed_user(&ada_profile(), COOKIE);
    env.seed_jobs(user, [3003]);
    env.app.sql("update job_applications set max_attempts = 1");
    let mut daemon = env.spawn_daemon("crashing", &[("AUTOAPPLY_PACING_SCALE", "0.5")]);
    wait_for_request(&env.replica, "/jobs/view/3003", Duration::from_secs(60)).await;
    let browsers = browsers_under(&env.runtime);
    assert!(!browsers.is_empty());
    crate::support::daemon::kill_browsers(&env.runtime);
    env.wait_for_count(
        "select status from job_applications where external_job_id = '3003'",
        "failed",
        Duration::from_secs(60),
    )
    .await;
    let reason = env.app.sql(
        "select reason || ': ' || last_error from job_applications where external_job_id = '3003'",
    );
    assert!(
        reason.starts_with("browser_crashed: the browser crashed"),
        "{reason}"
    );
    // the daemon goes on with the next application
    env.seed_jobs(user, [2401]);
    env.wait_for_count(
        "select status from job_applications where external_job_id = '2401'",
        "submitted",
        Duration::from_secs(60),
    )
    .await;
    assert!(daemon.running());
    daemon.stop().await;
    assert_no_browser_left(&env);
}

#[tokio::test]
async fn a_postgrest_outage_of_thirty_seconds_is_survived() {
    let _one = BROWSER.lock().await;
    let mut env = apply_env().await;
    let user = env.seed_user(&ada_profile(), COOKIE);
    let mut daemon = env.spawn_daemon("patient", &[]);
    daemon.ready().await;
    // PostgREST goes away while the loop runs; work arrives in the database meanwhile
    env.app.stop_postgrest();
    env.seed_jobs(user, 2501..=2503);
    tokio::time::sleep(Duration::from_secs(30)).await;
    assert!(
        daemon.running(),
        "the daemon survives the outage:\n{}",
        daemon.logs()
    );
    let logs = daemon.logs();
    assert!(
        logs.contains("cannot claim: database unreachable, backing off"),
        "{logs}"
    );
    let polls = env.replica.requests().len();
    assert_eq!(polls, 0, "nothing applied while the database was away");
    env.app.sql("select 1");
    env.app.start_postgrest().await;
    env.wait_for_count(
        "select count(*) from job_applications where status = 'submitted'",
        "3",
        Duration::from_secs(120),
    )
    .await;
    assert_eq!(env.replica.submissions().len(), 3);
    daemon.stop().await;
}

#[tokio::test]
async fn systemd_hears_ready_watchdog_and_stopping() {
    let _one = BROWSER.lock().await;
    let env = apply_env().await;
    let socket_path = env.storage.join("notify.sock");
    let socket = tokio::net::UnixDatagram::bind(&socket_path).unwrap();
    let notify = socket_path.display().to_string();
    let mut daemon = env.spawn_daemon(
        "notified",
        &[("NOTIFY_SOCKET", &notify), ("WATCHDOG_USEC", "1000000")],
    );
    let mut heard = Vec::new();
    let mut buf = [0u8; 512];
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    while !(heard.iter().any(|m: &String| m == "READY=1")
        && heard.iter().filter(|m| *m == "WATCHDOG=1").count() >= 2)
    {
        assert!(std::time::Instant::now() < deadline, "heard only {heard:?}");
        if let Ok(Ok(n)) = tokio::time::timeout(Duration::from_secs(1), socket.recv(&mut buf)).await
        {
            heard.push(String::from_utf8_lossy(&buf[..n]).into_owned());
        }
    }
    daemon.signal(libc::SIGTERM);
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    while !heard.iter().any(|m| m == "STOPPING=1") {
        assert!(
            std::time::Instant::now() < deadline,
            "no STOPPING=1 in {heard:?}"
        );
        if let Ok(Ok(n)) = tokio::time::timeout(Duration::from_secs(1), socket.recv(&mut buf)).await
        {
            heard.push(String::from_utf8_lossy(&buf[..n]).into_owned());
        }
    }
    assert!(
        daemon
            .wait_exit(Duration::from_secs(30))
            .await
            .is_some_and(|s| s.success())
    );
    let ready_at = heard.iter().position(|m| m == "READY=1").unwrap();
    assert!(
        heard[..ready_at].iter().all(|m| m != "WATCHDOG=1"),
        "no watchdog ping before READY: {heard:?}"
    );
}

#[tokio::test]
async fn sigusr1_wakes_the_worker_at_once() {
    let _one = BROWSER.lock().await;
    let env = apply_env().await;
    let user = env.seed_user(&ada_profile(), COOKIE);
    let daemon = env.spawn_daemon("sleepy", &[("AUTOAPPLY_POLL_INTERVAL_SECS", "300")]);
    daemon.ready().await;
    // let the first (empty) poll pass, then queue work: without a wake-up it would
    // wait the whole 300 s poll interval
    tokio::time::sleep(Duration::from_secs(1)).await;
    env.seed_jobs(user, [2701]);
    daemon.signal(libc::SIGUSR1);
    env.wait_for_count(
        "select count(*) from job_applications where status = 'submitted'",
        "1",
        Duration::from_secs(30),
    )
    .await;
    assert!(daemon.logs().contains("SIGUSR1: looking for work now"));
    daemon.signal(libc::SIGTERM);
}

/// The embedded store under the real daemon: `autoapply enqueue` writes the queue,
/// `autoapply run` (no SUPABASE_URL) applies, a `kill -9` mid-run is taken over by a
/// second daemon, and every job is submitted exactly once.
#[tokio::test]
async fn the_daemon_on_the_embedded_store_applies_and_survives_a_crash() {
    use autoapply::store::{Store as _, sqlite::SqliteStore};
    let _one = BROWSER.lock().await;
    let env = apply_env().await;
    let lite = [("SUPABASE_URL", ""), ("AUTOAPPLY_LEASE_SECS", "5")];
    env.enqueue_on_sqlite(COOKIE, 3101..=3104, &lite).await;

    let path = env.storage.join("autoapply.sqlite3");
    // a retry after the crash waits 1 s * 2^attempts, not 30 s
    rusqlite::Connection::open(&path)
        .unwrap()
        .execute(
            "update autoapply_limits set retry_backoff_base_secs = 1",
            [],
        )
        .unwrap();
    let db = SqliteStore::open(&path).unwrap();
    let submitted = || async {
        db.application_counts()
            .await
            .unwrap()
            .into_iter()
            .filter(|c| c.status == "submitted")
            .map(|c| c.applications)
            .sum::<i64>()
    };
    let mut first = env.spawn_daemon("lite-1", &lite);
    let deadline = std::time::Instant::now() + Duration::from_secs(120);
    while submitted().await < 1 {
        assert!(std::time::Instant::now() < deadline, "{}", first.logs());
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    first.crash();
    let mut second = env.spawn_daemon("lite-2", &lite);
    while submitted().await < 4 {
        assert!(
            std::time::Instant::now() < deadline + Duration::from_secs(60),
            "{:?}\n{}",
            db.application_counts().await,
            second.logs()
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    let per_job = submissions_per_job(&env.replica);
    assert_eq!(
        per_job,
        (3101..=3104).map(|j| (j, 1)).collect::<BTreeMap<_, _>>(),
        "each job exactly once"
    );
    assert!(
        second.logs().contains("embedded SQLite at"),
        "{}",
        second.logs()
    );
    second.stop().await;
    assert_no_browser_left(&env);
    let logs = format!("{}{}", first.logs(), second.logs());
    assert!(!logs.contains(COOKIE) && !logs.contains(&env.key_hex));
}

#[tokio::test]
async fn an_open_drift_breaker_stops_claiming_until_it_closes() {
    let _one = BROWSER.lock().await;
    let env = apply_env().await;
    let user = env.seed_user(&ada_profile(), COOKIE);
    env.seed_jobs(user, 2301..=2302);
    // another worker's structural failures opened it a moment ago
    env.app.sql(
        "update autoapply_drift set opened_at = now(), open_until = now() + interval '8 seconds', \
         last_reason = 'modal_missing'",
    );
    let mut daemon = env.spawn_daemon("drift", &[]);
    daemon.ready().await;
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(
        env.app
            .sql("select count(*) from job_applications where status <> 'queued' or attempts > 0"),
        "0",
        "nothing claimed while the breaker is open"
    );
    let http = crate::support::http();
    let metrics = crate::support::metrics_text(daemon.webhook.as_str()).await;
    assert!(
        metrics.contains("autoapply_drift_breaker_open 1"),
        "{metrics}"
    );
    let ready = http
        .get(format!("{}/readyz", daemon.webhook))
        .header("X-Agent-Secret", "test-agent-secret-0123456789")
        .send()
        .await
        .unwrap();
    assert_eq!(ready.status(), 503);
    let body: serde_json::Value = ready.json().await.unwrap();
    assert!(
        body["checks"]["drift_breaker"]
            .as_str()
            .is_some_and(|s| s.starts_with("open until") && s.contains("modal_missing")),
        "{body}"
    );
    // the gateway cannot start a run past it either
    let id = env
        .app
        .sql("select id from job_applications order by id limit 1");
    let refused = http
        .post(format!("{}/api/agents/auto_apply", daemon.webhook))
        .header("Content-Type", "application/json")
        .header("X-Agent-Secret", "test-agent-secret-0123456789")
        .body(
            serde_json::json!({"agent": "auto_apply", "user_id": user.to_string(), "payload": {"application_id": id}})
                .to_string(),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 503);
    let answer: serde_json::Value = refused.json().await.unwrap();
    assert!(
        answer["error"]
            .as_str()
            .is_some_and(|e| e.contains("drift breaker is open")),
        "{answer}"
    );
    // once it closes, the queue moves again
    env.wait_for_count(
        "select count(*) from job_applications where status = 'submitted'",
        "2",
        Duration::from_secs(90),
    )
    .await;
    let logs = daemon.logs();
    assert_eq!(
        logs.matches("not claiming until it closes").count(),
        1,
        "the worker logs it once"
    );
    assert!(logs.contains("the drift breaker closed: claiming again"));
    assert_eq!(
        env.app.sql("select streak from autoapply_drift"),
        "0",
        "healthy endings leave no streak"
    );
    daemon.stop().await;
    assert_no_browser_left(&env);
}

#[tokio::test]
async fn chromium_sees_none_of_the_daemons_secrets() {
    // issue 18, finding 3: Chromium inherited the daemon's whole environment
    let _one = BROWSER.lock().await;
    let env = apply_env().await;
    env.replica.set_confirm_delay(Duration::from_secs(5));
    let user = env.seed_user(&ada_profile(), COOKIE);
    env.seed_jobs(user, [2311]);
    let mut daemon = env.spawn_daemon("environ", &[("AUTOAPPLY_TEST_CANARY", "canary-7f3a")]);
    // the browser is up and on the job page (no launcher shell is left by then)
    wait_for_request(&env.replica, "/jobs/view/2311", Duration::from_secs(60)).await;
    let pids = browsers_under(&env.runtime);
    assert!(!pids.is_empty(), "no browser running:\n{}", daemon.logs());
    let profiles = env.runtime.join("profiles").display().to_string();
    let (mut read, mut homes) = (0, 0);
    for pid in pids {
        let Ok(raw) = std::fs::read(format!("/proc/{pid}/environ")) else {
            continue; // a helper that just ended
        };
        read += 1;
        let vars: Vec<String> = raw
            .split(|b| *b == 0)
            .map(|v| String::from_utf8_lossy(v).into_owned())
            .collect();
        for secret in [
            "AES_SESSION_KEY=",
            "AGENT_SECRET=",
            "SUPABASE_SERVICE_ROLE_KEY=",
            "NOTIFY_SOCKET=",
            "AUTOAPPLY_TEST_CANARY=",
        ] {
            assert!(
                !vars.iter().any(|v| v.starts_with(secret)),
                "pid {pid} sees {secret}"
            );
        }
        // some helpers run with no HOME at all; where there is one, it is the profile's
        if let Some(home) = vars.iter().find_map(|v| v.strip_prefix("HOME=")) {
            assert!(
                home.starts_with(&profiles),
                "pid {pid}: HOME={home} is outside the profile"
            );
            homes += 1;
        }
    }
    assert!(
        read > 0 && homes > 0,
        "no browser environment could be read ({read}, {homes})"
    );
    env.wait_for_count(
        "select count(*) from job_applications where status = 'submitted'",
        "1",
        Duration::from_secs(60),
    )
    .await;
    daemon.stop().await;
    assert_no_browser_left(&env);
}

/// (state, ppid) of a process.
fn state_and_parent(pid: u32) -> Option<(char, u32)> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let mut fields = stat[stat.rfind(')')? + 2..].split(' ');
    Some((fields.next()?.chars().next()?, fields.next()?.parse().ok()?))
}

/// Zombies whose parent is `pid`.
fn zombies_of(pid: u32) -> Vec<u32> {
    std::fs::read_dir("/proc")
        .unwrap()
        .flatten()
        .filter_map(|e| e.file_name().to_str()?.parse::<u32>().ok())
        .filter(|p| state_and_parent(*p) == Some(('Z', pid)))
        .collect()
}

#[tokio::test]
async fn helpers_of_a_killed_browser_are_adopted_and_collected_by_the_daemon() {
    let _one = BROWSER.lock().await;
    let env = apply_env().await;
    let user = env.seed_user(&ada_profile(), COOKIE);
    env.seed_job(user, 2031);
    // the application waits for LinkedIn's confirmation meanwhile
    env.replica.set_confirm_delay(Duration::from_secs(20));
    let mut daemon = env.spawn_daemon("reaper", &[]);
    crate::support::daemon::wait_for_submission(&env.replica, Duration::from_secs(60)).await;
    let me = daemon.pid();
    let launch: Vec<(u32, u32)> = browsers_under(&env.runtime)
        .into_iter()
        .filter_map(|p| Some((p, state_and_parent(p)?.1)))
        .collect();
    let root = launch
        .iter()
        .find(|(_, parent)| *parent == me)
        .map(|(p, _)| *p)
        .expect("the browser is the daemon's child");
    let orphans: Vec<u32> = launch
        .iter()
        .filter(|(_, parent)| *parent == root)
        .map(|(p, _)| *p)
        .collect();
    assert!(!orphans.is_empty(), "Chromium runs helpers: {launch:?}");
    // stopped, the helpers cannot end before their parent: they are orphaned alive
    for (pid, _) in &launch {
        if *pid != root {
            unsafe { libc::kill(*pid as i32, libc::SIGSTOP) };
        }
    }
    unsafe { libc::kill(root as i32, libc::SIGKILL) };
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    let adopted = loop {
        let parents: Vec<Option<u32>> = orphans
            .iter()
            .map(|p| state_and_parent(*p).map(|(_, parent)| parent))
            .collect();
        if parents.iter().all(|p| p.is_none_or(|p| p == me)) || std::time::Instant::now() > deadline
        {
            break parents;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    // the browser's keeper kills its group as soon as the browser dies: a helper is
    // either adopted by the daemon or already killed and collected by it
    assert!(
        adopted.iter().all(|p| p.is_none_or(|p| p == me)),
        "the orphaned helpers went to {adopted:?}, not to the daemon {me} (a child subreaper)"
    );
    // the application ends (a crashed browser), its teardown kills and collects them
    let deadline = std::time::Instant::now() + Duration::from_secs(40);
    loop {
        let (left, zombies) = (browsers_under(&env.runtime), zombies_of(me));
        if left.is_empty() && zombies.is_empty() {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "left: {left:?}, zombies of the daemon: {zombies:?}\n{}",
            daemon.logs()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    daemon.signal(libc::SIGTERM);
    assert!(
        daemon
            .wait_exit(Duration::from_secs(30))
            .await
            .expect("exits")
            .success()
    );
    assert_no_browser_left(&env);
}

#[tokio::test]
async fn two_daemons_on_one_store_never_run_one_user_in_two_browsers() {
    let _one = BROWSER.lock().await;
    let env = apply_env().await;
    let ada = env.seed_user(&ada_profile(), COOKIE);
    env.seed_jobs(ada, 3201..=3204);
    // each application lingers on LinkedIn's confirmation: runs would overlap
    env.replica.set_confirm_delay(Duration::from_secs(2));
    let both = [("AUTOAPPLY_CONCURRENCY", "2")];
    let mut a = env.spawn_daemon("fleet-a", &both);
    let mut b = env.spawn_daemon("fleet-b", &both);
    let (pa, pb) = (a.pid(), b.pid());
    let mut most = 0;
    let deadline = std::time::Instant::now() + Duration::from_secs(180);
    loop {
        // browsers of either daemon at this moment: their direct children
        let roots = browsers_under(&env.runtime)
            .into_iter()
            .filter(|p| matches!(state_and_parent(*p), Some((_, parent)) if parent == pa || parent == pb))
            .count();
        most = most.max(roots);
        if env
            .app
            .sql("select count(*) from job_applications where status = 'submitted'")
            == "4"
        {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "not all submitted:\n{}\n{}",
            a.logs(),
            b.logs()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(most, 1, "one user in {most} browsers at once");
    let per_job = submissions_per_job(&env.replica);
    assert!(
        per_job.values().all(|n| *n == 1) && per_job.len() == 4,
        "{per_job:?}"
    );
    for d in [&mut a, &mut b] {
        d.signal(libc::SIGTERM);
        assert!(
            d.wait_exit(Duration::from_secs(30))
                .await
                .expect("exits")
                .success()
        );
    }
    assert_no_browser_left(&env);
}
