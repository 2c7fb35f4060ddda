//! The screenshots of one application, and the only writer of its evidence files:
//! when asked for, the job page (`<id>-job-page.png`) and each form step by the
//! form's own numbering (`<id>-step-<n>.png`), the evidence kept at the moment a
//! stop became visible (before the form is discarded), and the run's screenshot
//! (`<id>.png`, or the confirmation `<id>-confirmation.png`) written at the end; after a
//! structural failure, the sanitized page snapshot (`<id>.html`).

use std::path::PathBuf;

use crate::{
    browser::LaunchedBrowser,
    domain::ApplicationId,
    evidence,
    page::{Rect, Target},
};

/// One application's screenshots.
#[derive(Debug)]
pub struct Shots {
    dir: PathBuf,
    id: ApplicationId,
    every_step: bool,
    step_paths: Vec<PathBuf>,
    kept: Option<(Vec<u8>, Option<Rect>)>,
}

impl Shots {
    /// Screenshots of application `id` in `dir`; `every_step` keeps one per step.
    pub fn new(dir: PathBuf, id: ApplicationId, every_step: bool) -> Self {
        Self {
            dir,
            id,
            every_step,
            step_paths: Vec::new(),
            kept: None,
        }
    }

    /// The job page as found (`<id>-job-page.png`), when every step is kept.
    pub async fn job_page(&mut self, browser: &LaunchedBrowser) {
        self.every_step(browser, "-job-page").await;
    }

    /// Form step `n` as it is about to be sent (`<id>-step-<n>.png`), when every
    /// step is kept.
    pub async fn form_step(&mut self, browser: &LaunchedBrowser, n: u32) {
        self.every_step(browser, &format!("-step-{n}")).await;
    }

    async fn every_step(&mut self, browser: &LaunchedBrowser, suffix: &str) {
        if !self.every_step {
            return;
        }
        match browser.screenshot().await {
            Ok(png) => match self.write(suffix, &png, None) {
                Some(path) => self.step_paths.push(path),
                None => tracing::warn!("step screenshot not written"),
            },
            Err(e) => tracing::warn!(error = %e, "no step screenshot could be taken"),
        }
    }

    /// Takes the evidence now, while the page still shows why the flow stops,
    /// outlining `target`.
    pub async fn keep(&mut self, browser: &LaunchedBrowser, target: Option<Target>) {
        if let Some(shot) = capture(browser, target).await {
            self.kept = Some(shot);
        }
    }

    /// Writes the page snapshot of a structural failure beside the screenshot. Those
    /// endings never discard the form first, so the page is still what the worker saw.
    pub async fn snapshot(&self, browser: &LaunchedBrowser) -> Option<PathBuf> {
        let html = match browser.dom_snapshot().await {
            Ok(html) => html,
            Err(e) => {
                tracing::warn!(error = %e, "no page snapshot could be taken");
                return None;
            }
        };
        match evidence::write_snapshot(&self.dir, self.id, &html) {
            Ok(path) => Some(path),
            Err(e) => {
                tracing::warn!(error = %e, "the page snapshot could not be written");
                None
            }
        }
    }

    /// Writes the run's screenshot with `suffix` (the kept evidence, else the page
    /// as it is now, outlining `target`); returns it and the step screenshots.
    pub async fn finish(
        mut self,
        browser: &LaunchedBrowser,
        target: Option<Target>,
        suffix: Option<&str>,
    ) -> (Option<PathBuf>, Vec<PathBuf>) {
        let Some(suffix) = suffix else {
            return (None, self.step_paths);
        };
        let shot = match self.kept.take() {
            Some(kept) => Some(kept),
            None => capture(browser, target).await,
        };
        let written = shot.and_then(|(png, rect)| self.write(suffix, &png, rect));
        (written, self.step_paths)
    }

    fn write(&self, suffix: &str, png: &[u8], rect: Option<Rect>) -> Option<PathBuf> {
        match evidence::write_screenshot(&self.dir, self.id, suffix, png, rect) {
            Ok(path) => Some(path),
            Err(e) => {
                tracing::warn!(error = %e, "the screenshot could not be written");
                None
            }
        }
    }
}

/// The page as it is now, with `target`'s outline.
async fn capture(
    browser: &LaunchedBrowser,
    target: Option<Target>,
) -> Option<(Vec<u8>, Option<Rect>)> {
    match browser.screenshot().await {
        Ok(png) => {
            let rect = match target {
                Some(t) => browser.rect(t).await,
                None => None,
            };
            Some((png, rect))
        }
        Err(e) => {
            tracing::warn!(error = %e, "no screenshot could be taken");
            None
        }
    }
}
