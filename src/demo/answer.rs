//! The demo's answer loop (issue 36): the applications that stopped on a question
//! the profile cannot answer get the user's answer from a file, exactly as
//! `autoapply answer --user-id U --file answers.json` gives it, and those it
//! unblocks are queued again for the running worker.

use std::path::Path;

use crate::{
    domain::ApplicationId,
    exit::{self, Failure},
    store::{StoreAdmin as _, answering::GivenAnswer, sqlite::SqliteStore},
};

use super::{fail, seed::Case, seed::SHIFT_ANSWER};

/// Writes `<dir>/answers.json`, answers from it, and returns the applications it
/// queued again (each with its case).
pub(super) async fn answer_from_file(
    store: &SqliteStore,
    dir: &Path,
    seeded: &[(ApplicationId, &'static Case)],
) -> Result<Vec<(ApplicationId, &'static Case)>, Failure> {
    let store_err = |e: crate::store::StoreError| Failure {
        code: exit::STORE,
        message: e.to_string(),
    };
    let Some((first, _)) = seeded.iter().find(|(_, c)| c.then.is_some()) else {
        return Ok(Vec::new());
    };
    let user = crate::store::Store::application(store, *first)
        .await
        .map_err(store_err)?
        .ok_or_else(|| fail(format!("application {first} vanished")))?
        .user_id;
    let file = dir.join("answers.json");
    let (question, answer) = SHIFT_ANSWER;
    let text = serde_json::json!([{"question": question, "answer": answer}]).to_string();
    std::fs::write(&file, &text)
        .map_err(|e| fail(format!("cannot write {}: {e}", file.display())))?;
    let given: Vec<GivenAnswer> =
        serde_json::from_str(&text).map_err(|e| fail(format!("{}: {e}", file.display())))?;
    println!(
        "\n  answer    autoapply answer --user-id {user} --file {}\n            {question} -> {answer}",
        file.display()
    );
    let result = store
        .answer_questions(user, &given)
        .await
        .map_err(store_err)?;
    if !result.refused.is_empty() {
        return Err(fail(format!(
            "the demo's answer was refused: {:?}",
            result.refused
        )));
    }
    for w in &result.waiting {
        println!(
            "            still waiting: {} on {}",
            w.id,
            w.questions.join(" | ")
        );
    }
    println!(
        "            queued again: {} application(s)\n",
        result.requeued.len()
    );
    Ok(seeded
        .iter()
        .filter(|(id, _)| result.requeued.contains(id))
        .copied()
        .collect())
}
