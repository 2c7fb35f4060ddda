//! ARCHITECTURE.md's invariants that can be checked by reading the code: which module
//! may know what, arrows that run one way, every spawned task in a span, files and
//! functions short enough to read, and a code map that names every module. Each test
//! names the file and line that breaks the rule.

use std::{
    collections::{BTreeMap, BTreeSet},
    path::{Path, PathBuf},
};

use crate::support::manifest_dir;

/// One source file: its path under `src/` and its lines before `#[cfg(test)]`.
struct Source {
    path: String,
    lines: Vec<String>,
}

impl Source {
    /// The top-level module this file belongs to (`apply` for `src/apply/driver/mod.rs`).
    fn module(&self) -> &str {
        let first = self.path.split('/').next().unwrap_or_default();
        first.strip_suffix(".rs").unwrap_or(first)
    }

    /// Lines that are code, not comments, with their line numbers.
    fn code(&self) -> impl Iterator<Item = (usize, &str)> {
        self.lines
            .iter()
            .enumerate()
            .map(|(i, l)| (i + 1, l.as_str()))
            .filter(|(_, l)| !l.trim_start().starts_with("//"))
    }
}

fn sources() -> Vec<Source> {
    fn walk(dir: &Path, root: &Path, out: &mut Vec<Source>) {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        entries.sort();
        for path in entries {
            if path.is_dir() {
                walk(&path, root, out);
            } else if path.extension().is_some_and(|x| x == "rs") {
                let text = std::fs::read_to_string(&path).unwrap();
                let lines = text
                    .lines()
                    .take_while(|l| !l.starts_with("#[cfg(test)]"))
                    .map(str::to_owned)
                    .collect();
                let rel = path.strip_prefix(root).unwrap().display().to_string();
                out.push(Source { path: rel, lines });
            }
        }
    }
    let root = manifest_dir().join("src");
    let mut out = Vec::new();
    walk(&root, &root, &mut out);
    assert!(out.len() > 40, "the source tree was not found");
    out
}

/// `needle` may appear in code only under the `allowed` paths.
fn confined(needles: &[&str], allowed: &[&str]) -> Vec<String> {
    let mut found = Vec::new();
    for source in sources() {
        if allowed.iter().any(|a| source.path.starts_with(a)) {
            continue;
        }
        for (n, line) in source.code() {
            for needle in needles {
                if line.contains(needle) {
                    found.push(format!("src/{}:{n}: {}", source.path, line.trim()));
                }
            }
        }
    }
    found
}

#[test]
fn only_browser_knows_the_devtools_library() {
    let found = confined(&["chromiumoxide"], &["browser/"]);
    assert!(
        found.is_empty(),
        "chromiumoxide outside src/browser/:\n{}",
        found.join("\n")
    );
}

#[test]
fn only_store_knows_sql_and_postgrest() {
    let found = confined(
        &[
            "rusqlite",
            "reqwest",
            "insert into ",
            "select {",
            "update job_applications",
        ],
        &["store/"],
    );
    assert!(
        found.is_empty(),
        "database access outside src/store/:\n{}",
        found.join("\n")
    );
}

#[test]
fn only_site_knows_linkedin_urls() {
    // the replica is LinkedIn's markup by design; the site module owns the host rule
    let found = confined(
        &["linkedin.com", "\"/jobs/", "/jobs/view", "/feed/"],
        &["site/", "replica/"],
    );
    assert!(
        found.is_empty(),
        "LinkedIn URL shapes belong in selectors/linkedin.toml (read by src/site/):\n{}",
        found.join("\n")
    );
}

#[test]
fn only_session_handles_decrypted_sessions() {
    let found = confined(
        &[
            "session::decrypt",
            "Session::parse",
            "decrypt_padded",
            "Zeroizing<Vec<u8>>",
        ],
        &["session/"],
    );
    // the CLI reads a profile file (not a session) into a wiped buffer too
    let found: Vec<_> = found
        .into_iter()
        .filter(|f| !(f.starts_with("src/cli/enqueue.rs") && f.contains("fn read_input")))
        .collect();
    assert!(
        found.is_empty(),
        "decrypted session bytes outside src/session/:\n{}",
        found.join("\n")
    );
}

/// The argument text of the call whose opening parenthesis ends `before`.
fn call_argument(text: &str, open: usize) -> &str {
    let mut depth = 0usize;
    for (i, c) in text[open..].char_indices() {
        match c {
            '(' => depth += 1,
            ')' => {
                depth -= 1;
                if depth == 0 {
                    return &text[open + 1..open + i];
                }
            }
            _ => {}
        }
    }
    &text[open + 1..]
}

#[test]
fn every_spawned_task_runs_in_a_span() {
    let mut bad = Vec::new();
    for source in sources() {
        let text = source.lines.join("\n");
        for pattern in ["tokio::spawn(", "tasks.spawn("] {
            for (at, _) in text.match_indices(pattern) {
                let argument = call_argument(&text, at + pattern.len() - 1).trim();
                let spanned = argument.contains(".instrument(")
                    || argument.contains(".in_current_span()")
                    || (argument.chars().all(|c| c.is_alphanumeric() || c == '_')
                        && text[..at].contains(&format!("let {argument} ="))
                        && text[..at]
                            .rsplit(&format!("let {argument} ="))
                            .next()
                            .is_some_and(|d| d.contains(".instrument(")));
                if !spanned {
                    let line = text[..at].lines().count();
                    bad.push(format!("src/{}:{line}", source.path));
                }
            }
        }
    }
    assert!(
        bad.is_empty(),
        "tasks spawned without a tracing span:\n{}",
        bad.join("\n")
    );
}

/// The top-level modules each module names (`crate::x`, `crate::{x, y::z}`).
fn arrows() -> BTreeMap<String, BTreeSet<String>> {
    let sources = sources();
    let modules: BTreeSet<String> = sources.iter().map(|s| s.module().to_owned()).collect();
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for source in &sources {
        let text: String = source.code().map(|(_, l)| format!("{l}\n")).collect();
        let mut named = BTreeSet::new();
        for (at, _) in text.match_indices("crate::") {
            let rest = &text[at + "crate::".len()..];
            if let Some(inner) = rest.strip_prefix('{') {
                // the names at depth 1 of the use tree
                let mut depth = 1;
                let mut word = String::new();
                let mut expect_name = true;
                for c in inner.chars() {
                    match c {
                        '{' => depth += 1,
                        '}' => {
                            depth -= 1;
                            if depth == 0 {
                                break;
                            }
                        }
                        ',' if depth == 1 => expect_name = true,
                        c if depth == 1 && expect_name && (c.is_alphanumeric() || c == '_') => {
                            word.push(c)
                        }
                        _ if depth == 1 && !word.is_empty() => {
                            named.insert(std::mem::take(&mut word));
                            expect_name = false;
                        }
                        _ => {}
                    }
                }
                if !word.is_empty() {
                    named.insert(word);
                }
            } else {
                let word: String = rest
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                named.insert(word);
            }
        }
        let entry = graph.entry(source.module().to_owned()).or_default();
        for name in named {
            if modules.contains(&name) && name != source.module() {
                entry.insert(name);
            }
        }
    }
    graph
}

/// The files (under src/) whose code, not comments, writes `needle`: one entry per line.
fn written(needle: &str) -> Vec<String> {
    let mut found = Vec::new();
    for source in sources() {
        for (_, line) in source.code() {
            if line.contains(needle) {
                found.push(source.path.clone());
            }
        }
    }
    found
}

#[test]
fn one_admit_and_spawn_and_one_worker_start_up() {
    // a run is started one way (ARCHITECTURE.md, "The daemon"): the runner's
    // `start` calls the one run, and nothing else does
    assert_eq!(
        written("run_application("),
        ["run/runner.rs"],
        "the one run (run/one.rs) is called from Runner::start alone"
    );
    assert_eq!(
        written(".start(slot,"),
        ["cli/replay.rs", "run/worker.rs", "webhook/call.rs"],
        "replay, the loop and the webhook each start theirs through Runner::start"
    );
    let outside = confined(
        &["tasks.spawn(", "Admission::new(", "Worker::new("],
        &["run/"],
    );
    assert!(
        outside.is_empty(),
        "outside src/run/:\n{}",
        outside.join("\n")
    );
    assert_eq!(
        written("Worker::new("),
        ["run/startup.rs"],
        "one worker start-up"
    );
    assert_eq!(
        written("start_worker("),
        ["daemon.rs", "demo/mod.rs"],
        "`run` and the demo share the one start-up"
    );
}

#[test]
fn modules_depend_one_way() {
    // each module may name only modules of lower layers (ARCHITECTURE.md, "Layers")
    let layers: &[&[&str]] = &[
        &[
            "domain", "exit", "heap", "lease", "page", "pacing", "replica", "resume", "session",
            "shutdown", "site", "systemd",
        ],
        &["answers", "config", "evidence"],
        &["browser", "store"],
        &["apply", "metrics", "telemetry"],
        &["run"],
        &["demo", "webhook"],
        &["daemon"],
        &["cli"],
        &["lib", "main"],
    ];
    let layer_of = |m: &str| layers.iter().position(|l| l.contains(&m));
    let graph = arrows();
    let mut bad = Vec::new();
    for (module, names) in &graph {
        let Some(mine) = layer_of(module) else {
            bad.push(format!(
                "{module}: not in any layer of this test and ARCHITECTURE.md"
            ));
            continue;
        };
        for name in names {
            match layer_of(name) {
                Some(theirs) if theirs < mine => {}
                _ => bad.push(format!("{module} -> {name}: an arrow up or sideways")),
            }
        }
    }
    assert!(bad.is_empty(), "{}\n(graph: {graph:#?})", bad.join("\n"));
    // the arrows the restructure promised
    assert!(graph["cli"].contains("daemon") && graph["cli"].contains("demo"));
    assert!(
        !graph["demo"].contains("cli"),
        "the cli <-> demo cycle is back"
    );
    for pure in ["answers", "evidence", "page"] {
        assert!(
            !graph[pure].contains("browser"),
            "{pure} must not depend on the browser"
        );
    }
}

#[test]
fn files_and_functions_are_short_enough_to_read() {
    const FILE_LINES: usize = 400;
    const FN_LINES: usize = 80;
    // data, not logic: the replica's job catalogue and its LinkedIn markup
    let data = |p: &str| p.starts_with("replica/");
    let mut bad = Vec::new();
    for source in sources() {
        if data(&source.path) {
            continue;
        }
        if source.lines.len() > FILE_LINES {
            bad.push(format!(
                "src/{}: {} lines (tests apart)",
                source.path,
                source.lines.len()
            ));
        }
        let lines = &source.lines;
        for (i, line) in lines.iter().enumerate() {
            let trimmed = line.trim_start();
            let is_fn = ["fn ", "pub fn ", "async fn ", "pub async fn ", "const fn "]
                .iter()
                .chain(
                    [
                        "pub(super) fn ",
                        "pub(crate) fn ",
                        "pub(super) async fn ",
                        "pub(crate) async fn ",
                    ]
                    .iter(),
                )
                .any(|p| trimmed.starts_with(p));
            if !is_fn {
                continue;
            }
            let indent = &line[..line.len() - trimmed.len()];
            // a declaration ends in `;` before any body opens
            let Some(open) = (i..lines.len()).find(|&j| {
                let l = lines[j].trim_end();
                l.ends_with('{') || l.ends_with(';')
            }) else {
                continue;
            };
            if lines[open].trim_end().ends_with(';') {
                continue;
            }
            let close = format!("{indent}}}");
            if let Some(end) = (open + 1..lines.len()).find(|&j| lines[j] == close) {
                let length = end - i + 1;
                if length > FN_LINES {
                    bad.push(format!(
                        "src/{}:{}: a function of {length} lines",
                        source.path,
                        i + 1
                    ));
                }
            }
        }
    }
    assert!(bad.is_empty(), "too long:\n{}", bad.join("\n"));
}

#[test]
fn the_crate_map_and_the_code_map_name_every_module() {
    let lib = std::fs::read_to_string(manifest_dir().join("src/lib.rs")).unwrap();
    let architecture = std::fs::read_to_string(manifest_dir().join("ARCHITECTURE.md")).unwrap();
    let modules: BTreeSet<String> = sources()
        .iter()
        .map(|s| s.module().to_owned())
        .filter(|m| m != "lib" && m != "main")
        .collect();
    let mut bad = Vec::new();
    for m in &modules {
        if !lib.contains(&format!("pub mod {m};")) || !lib.contains(&format!("[`{m}`]")) {
            bad.push(format!("src/lib.rs does not list and describe `{m}`"));
        }
        let file = manifest_dir().join("src").join(format!("{m}.rs"));
        let path = if file.is_file() {
            format!("src/{m}.rs")
        } else {
            format!("src/{m}/")
        };
        if !architecture.contains(&format!("`{path}")) {
            bad.push(format!("ARCHITECTURE.md's code map does not name {path}"));
        }
    }
    // the folders whose files hold the engine and the browser: every file named
    for folder in ["apply", "browser"] {
        let root = manifest_dir().join("src").join(folder);
        let mut dirs = vec![root.clone()];
        while let Some(dir) = dirs.pop() {
            for entry in std::fs::read_dir(&dir).unwrap().flatten() {
                let path = entry.path();
                if path.is_dir() {
                    dirs.push(path);
                    continue;
                }
                let rel = path
                    .strip_prefix(&root)
                    .unwrap()
                    .to_string_lossy()
                    .into_owned();
                let (sub, file) = rel.rsplit_once('/').unwrap_or(("", rel.as_str()));
                let named = architecture.contains(&format!("`{file}`"))
                    && (sub.is_empty() || architecture.contains(&format!("`{sub}/`")));
                if !named && file != "mod.rs" {
                    bad.push(format!(
                        "ARCHITECTURE.md's code map does not name src/{folder}/{rel}"
                    ));
                }
            }
        }
    }
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

/// Arrows between the files of one folder: `from -> to`, with the names `from` takes.
type FolderArrows = BTreeMap<(String, String), BTreeSet<String>>;

/// The first names of the paths that follow `prefix` in `text`: `prefix name` and,
/// for a use tree `prefix {a, b::c}`, each name at its first depth.
fn names_after(text: &str, prefix: &str) -> Vec<(String, Option<String>)> {
    let mut out = Vec::new();
    let ident = |c: char| c.is_alphanumeric() || c == '_';
    for (at, _) in text.match_indices(prefix) {
        // `prefix` must start a path: not the tail of a longer name or path
        if text[..at].ends_with(|c: char| ident(c) || c == ':') {
            continue;
        }
        let rest = &text[at + prefix.len()..];
        if let Some(inner) = rest.strip_prefix('{') {
            let mut depth = 1;
            let mut path = String::new();
            for c in inner.chars() {
                match c {
                    '{' => depth += 1,
                    '}' => depth -= 1,
                    _ => {}
                }
                if depth == 0 || (c == ',' && depth == 1) {
                    out.push(split_path(&path));
                    path.clear();
                    if depth == 0 {
                        break;
                    }
                } else if depth == 1 || c != '}' {
                    path.push(c);
                }
            }
        } else {
            let path: String = rest
                .chars()
                .take_while(|c| ident(*c) || *c == ':')
                .collect();
            out.push(split_path(&path));
        }
    }
    out.retain(|(first, _)| !first.is_empty());
    out
}

/// `a::b::{..}` → (`a`, Some(`b`)); `a` → (`a`, None).
fn split_path(path: &str) -> (String, Option<String>) {
    let mut parts = path
        .trim()
        .split("::")
        .map(|p| p.trim().trim_start_matches('{').trim());
    let first = parts
        .next()
        .unwrap_or_default()
        .split_whitespace()
        .next()
        .unwrap_or_default()
        .to_owned();
    let second = parts
        .next()
        .map(|p| {
            p.chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect::<String>()
        })
        .filter(|p| !p.is_empty());
    (first, second)
}

/// `pub use …` (a re-export), which may span lines: only its first line is told
/// apart here, so re-exports are written on one line or as `pub use self::{…}` blocks.
fn is_reexport(line: &str) -> bool {
    let t = line.trim_start();
    t.starts_with("pub use ")
        || t.starts_with("pub(crate) use ")
        || t.starts_with("pub(super) use ")
}

/// Every folder's arrows between its files (a sub-folder counts as the file of its
/// `mod.rs`), each name resolved to the file that defines it.
fn folder_arrows() -> FolderArrows {
    let sources = sources();
    let folder_of = |path: &str| -> (String, String) {
        // (folder, member): `apply/driver/form.rs` is `form` of `apply/driver`;
        // `apply/driver/mod.rs` is `mod` of `apply/driver` and `driver` of `apply`
        let (dir, file) = path.rsplit_once('/').unwrap_or(("", path));
        (dir.to_owned(), file.trim_end_matches(".rs").to_owned())
    };
    // what each folder's files define: name -> member
    let mut defined: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
    let kinds = [
        "fn ", "struct ", "enum ", "const ", "static ", "type ", "trait ", "mod ",
    ];
    for s in &sources {
        let (dir, member) = folder_of(&s.path);
        for (_, line) in s.code() {
            let t = line.trim_start();
            let Some(rest) = t.strip_prefix("pub") else {
                continue;
            };
            let rest = rest
                .trim_start_matches(['(', ')'])
                .trim_start_matches("crate)")
                .trim_start_matches("super)")
                .trim_start();
            let rest = rest.strip_prefix("async ").unwrap_or(rest);
            let Some(name) = kinds.iter().find_map(|k| rest.strip_prefix(k)) else {
                continue;
            };
            let name: String = name
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            defined
                .entry(dir.clone())
                .or_default()
                .entry(name)
                .or_insert_with(|| member.clone());
        }
    }
    let members: BTreeMap<String, BTreeSet<String>> =
        sources.iter().fold(BTreeMap::new(), |mut m, s| {
            let (dir, member) = folder_of(&s.path);
            m.entry(dir.clone()).or_default().insert(member);
            // a sub-folder is a member of its parent folder
            if let Some((parent, sub)) = dir.rsplit_once('/') {
                m.entry(parent.to_owned())
                    .or_default()
                    .insert(sub.to_owned());
            } else if !dir.is_empty() {
                m.entry(String::new()).or_default().insert(dir.clone());
            }
            m
        });
    let mut arrows = FolderArrows::new();
    for s in &sources {
        let (dir, member) = folder_of(&s.path);
        if dir.is_empty() {
            continue; // the top level: `modules_depend_one_way`
        }
        // a `mod.rs`'s re-exports are the folder's face, not a use of its files
        let text: String = s
            .code()
            .filter(|(_, l)| member != "mod" || !is_reexport(l))
            .map(|(_, l)| format!("{l}\n"))
            .collect();
        let siblings = &members[&dir];
        let mut named = Vec::new();
        if member == "mod" {
            named.extend(names_after(&text, "self::"));
            for child in siblings.iter().filter(|c| *c != "mod") {
                named.extend(
                    names_after(&text, &format!("{child}::"))
                        .into_iter()
                        .map(|(first, _)| (child.clone(), Some(first))),
                );
            }
        } else {
            named.extend(names_after(&text, "super::"));
        }
        named.extend(names_after(
            &text,
            &format!("crate::{}::", dir.replace('/', "::")),
        ));
        for (first, second) in named {
            let to = if siblings.contains(&first) && first != "mod" {
                first.clone()
            } else if let Some(by) = defined.get(&dir).and_then(|d| d.get(&first)) {
                by.clone()
            } else if member == "mod" {
                continue; // a name of mod.rs's own, or from elsewhere
            } else {
                "mod".to_owned() // taken from the folder's mod.rs scope
            };
            if to != member {
                let name = second.map_or(first.clone(), |s| format!("{first}::{s}"));
                arrows
                    .entry((
                        format!("src/{dir}/{member}.rs"),
                        format!("src/{dir}/{to}.rs"),
                    ))
                    .or_default()
                    .insert(name);
            }
        }
    }
    arrows
}

#[test]
fn files_inside_a_folder_depend_one_way() {
    // a folder's `mod.rs` is its root: the files beside it may use what it defines,
    // and it uses them (the module tree); between those files, arrows run one way
    let arrows: FolderArrows = folder_arrows()
        .into_iter()
        .filter(|((from, to), _)| !from.ends_with("/mod.rs") && !to.ends_with("/mod.rs"))
        .collect();
    // two files that name each other (directly, or through others) are a circle
    let mut next: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (from, to) in arrows.keys() {
        next.entry(from).or_default().push(to);
    }
    let reaches = |from: &str, to: &str| {
        let mut seen = BTreeSet::new();
        let mut stack = vec![from];
        while let Some(at) = stack.pop() {
            if at == to {
                return true;
            }
            if seen.insert(at) {
                stack.extend(next.get(at).into_iter().flatten());
            }
        }
        false
    };
    let circles: Vec<String> = arrows
        .iter()
        .filter(|((from, to), _)| reaches(to, from))
        .map(|((from, to), names)| format!("{from} -> {to}: {names:?}"))
        .collect();
    assert!(
        circles.is_empty(),
        "arrows back inside a folder (ARCHITECTURE.md, \"Layers\"): move what both use \
         into a file of its own that names neither:\n{}",
        circles.join("\n")
    );
    // the reading is not empty: the folders' known one-way arrows are seen
    assert!(
        arrows.contains_key(&(
            "src/apply/driver/mod.rs".into(),
            "src/apply/driver/form.rs".into()
        )) || arrows.keys().any(|(f, _)| f.starts_with("src/apply/")),
        "no arrow found inside src/apply: the reading is broken"
    );
}
