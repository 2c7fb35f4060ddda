//! `autoapply selectors check`: every selector file valid; with `--html`, which
//! key matches a saved page.

use std::process::ExitCode;

use clap::{Args, Subcommand};

use crate::{
    exit::{self, Failure},
    site::SelectorSource,
};

/// `autoapply selectors ...`
#[derive(Debug, Subcommand)]
pub enum SelectorsCommand {
    /// Validate every selector file (exit 3 naming the file, key and reason); with
    /// --html, show which selector keys match a page saved from the browser.
    Check(SelectorsCheckArgs),
}

/// Arguments of `selectors check`.
#[derive(Debug, Args)]
pub struct SelectorsCheckArgs {
    /// a saved page (File > Save page as..., or the page's outerHTML)
    #[arg(long, value_name = "FILE")]
    pub html: Option<std::path::PathBuf>,
    /// the selector directory (default: AUTOAPPLY_SELECTORS_DIR, else ./selectors when
    /// it holds linkedin.toml, else the file built into autoapply)
    #[arg(long, value_name = "DIR")]
    pub dir: Option<std::path::PathBuf>,
}

pub(super) fn check(args: &SelectorsCheckArgs) -> Result<ExitCode, Failure> {
    let source = match &args.dir {
        Some(dir) => SelectorSource::resolve(Some(dir)),
        None => SelectorSource::from_env(),
    };
    source.announce();
    let specs = source
        .load_all()
        .map_err(|e| Failure::new(exit::CONFIG, e.to_string()))?;
    if specs.is_empty() {
        return Err(Failure::new(
            exit::CONFIG,
            format!("{}: no selector files (*.toml)", source.describe()),
        ));
    }
    for spec in &specs {
        let file = source
            .dir()
            .map_or_else(|| "built-in ".to_owned(), |d| format!("{}/", d.display()));
        println!(
            "{file}{}.toml: ok (version {}, {} selector keys, {} text keys)",
            spec.name,
            spec.version,
            spec.selector_keys().len(),
            spec.text_keys().len()
        );
    }
    let Some(html_path) = &args.html else {
        return Ok(ExitCode::from(exit::OK));
    };
    let html = std::fs::read_to_string(html_path).map_err(|e| {
        Failure::new(
            exit::USAGE,
            format!("cannot read {}: {e}", html_path.display()),
        )
    })?;
    for spec in &specs {
        println!("\n{} against {}:", spec.name, html_path.display());
        let reports = crate::site::check::check_html(spec, &html);
        let matched = reports.iter().filter(|r| r.matched.is_some()).count();
        for r in &reports {
            match &r.matched {
                Some((i, entry, n)) => println!(
                    "  match     {:<32} entry {i}: {entry}  ({n} element{})",
                    r.key,
                    if *n == 1 { "" } else { "s" }
                ),
                None => println!("  no match  {:<32}", r.key),
            }
        }
        for (key, phrase) in crate::site::check::check_texts(spec, &html) {
            match phrase {
                Some(p) => println!("  text      {key:<32} \"{p}\""),
                None => println!("  no text   {key:<32}"),
            }
        }
        println!(
            "  {matched} of {} selector keys match this page",
            reports.len()
        );
    }
    Ok(ExitCode::from(exit::OK))
}
