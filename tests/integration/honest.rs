//! Applying honestly on pages of kinds the worker was never told about (issue 34),
//! on pages written by hand in styles the replica never serves.

use crate::support::apply::{BROWSER, apply_env, assert_torn_down, page_loads};

const COOKIE: &str = "AQEDAHonestSessionCookie-7b1f";

fn fixture(name: &str) -> String {
    std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures")
            .join(name),
    )
    .unwrap()
}

#[tokio::test]
async fn a_job_whose_apply_leads_off_linkedin_is_skipped_on_the_first_look_without_a_click() {
    let _one = BROWSER.lock().await;
    let env = apply_env().await;
    env.replica.serve_page(4301, fixture("external-job.html"));
    let (row, report) = env.run_job(4301, COOKIE).await;
    assert_eq!(
        (row.status.as_str(), row.reason.as_deref()),
        ("skipped", Some("not_easy_apply")),
        "{report:?}"
    );
    assert_eq!(
        page_loads(&env.replica),
        ["/jobs/view/4301/"],
        "one look: no click took the browser to the redirect, nothing retried"
    );
    assert!(env.replica.submissions().is_empty());
    assert!(env.replica.discarded().is_empty(), "no form was opened");
    assert_torn_down(&report);
}
