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
        print_languages(spec);
    }
    println!(
        "questions: {} profile facts recognised in {} (the built-in lexicon)",
        crate::answers::lexicon::FACTS.len(),
        crate::answers::lexicon::languages().join(", ")
    );
    let Some(html_path) = &args.html else {
        return Ok(ExitCode::from(exit::OK));
    };
    check_page(&specs, html_path)?;
    Ok(ExitCode::from(exit::OK))
}

/// Which keys of each file match the saved page `html_path`, read with the texts of
/// the page's own display language.
fn check_page(specs: &[crate::site::SiteSpec], html_path: &std::path::Path) -> Result<(), Failure> {
    let html = std::fs::read_to_string(html_path).map_err(|e| {
        Failure::new(
            exit::USAGE,
            format!("cannot read {}: {e}", html_path.display()),
        )
    })?;
    for spec in specs {
        // the page in its own display language, where the file has it
        let tag = page_language(&html);
        let spec = match tag.as_deref().map(|t| (t, spec.in_language(t))) {
            Some((t, Some(localized))) => {
                println!(
                    "\nthe page's language: {t} (texts of languages.{})",
                    localized.language
                );
                localized
            }
            Some((t, None)) => {
                println!(
                    "\nthe page's language: {t}, which {}.toml has no texts for (the worker stops there: unsupported_language); checked with English",
                    spec.name
                );
                spec.clone()
            }
            None => spec.clone(),
        };
        let spec = &spec;
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
    Ok(())
}

/// Per display language, how many phrase keys have texts of its own, and which fall
/// back to English.
fn print_languages(spec: &crate::site::SiteSpec) {
    for (code, keys) in spec.language_coverage() {
        let own: Vec<&str> = keys
            .iter()
            .filter(|(_, o)| *o)
            .map(|(k, _)| k.as_str())
            .collect();
        let missing: Vec<&str> = keys
            .iter()
            .filter(|(_, o)| !*o)
            .map(|(k, _)| k.as_str())
            .collect();
        println!(
            "  language {code}: {} of {} phrase keys{}",
            own.len(),
            keys.len(),
            if missing.is_empty() {
                String::new()
            } else {
                format!("; English used for: {}", missing.join(", "))
            }
        );
    }
}

/// The `lang` of a saved page's `<html>` element.
fn page_language(html: &str) -> Option<String> {
    let doc = scraper::Html::parse_document(html);
    let selector = scraper::Selector::parse("html[lang]").ok()?;
    doc.select(&selector)
        .next()
        .and_then(|e| e.value().attr("lang"))
        .map(str::to_owned)
        .filter(|l| !l.trim().is_empty())
}
