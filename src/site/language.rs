//! Display languages as data. LinkedIn's UI language is the account's display
//! language, so every text of the site file exists per language: `[languages.<code>]`
//! tables map a phrase key to its phrases, and an entry of any list elsewhere may name
//! one key as `{key}` (`'role=button[name="{next}"]'`, `"{daily_limit}"`). For one
//! language the entry becomes one entry per phrase, in place; a key the language does
//! not have falls back to English (LinkedIn leaves some strings untranslated). Adding a
//! language is a new table, no Rust. Roles, attributes and CSS stay language-free.

use std::{collections::BTreeMap, path::Path};

use super::{SiteError, SiteSpec};

/// The language whose table defines the keys (and is the fallback).
pub const BASE: &str = "en";

/// One language's phrases, by key.
pub type Phrases = BTreeMap<String, Vec<String>>;

/// The primary subtag of a language tag, lower case: `fr-FR` → `fr`, `pt_BR` → `pt`;
/// `None` for an empty or malformed tag.
pub fn primary(tag: &str) -> Option<String> {
    let primary = tag.trim().split(['-', '_']).next()?.to_ascii_lowercase();
    (2..=3)
        .contains(&primary.len())
        .then_some(primary)
        .filter(|p| p.chars().all(|c| c.is_ascii_alphabetic()))
}

/// The one `{key}` an entry names, if any.
fn placeholder(entry: &str) -> Result<Option<&str>, String> {
    let Some(open) = entry.find('{') else {
        return Ok(None);
    };
    let close = entry[open..]
        .find('}')
        .map(|c| open + c)
        .ok_or_else(|| format!("entry `{entry}` opens a `{{` it does not close"))?;
    let key = &entry[open + 1..close];
    if key.is_empty() || !key.chars().all(|c| c.is_ascii_lowercase() || c == '_') {
        return Err(format!("entry `{entry}`: `{{{key}}}` is not a phrase key"));
    }
    if entry[close + 1..].contains('{') {
        return Err(format!("entry `{entry}` names more than one phrase key"));
    }
    Ok(Some(key))
}

/// Every list of the file (the `languages` tables apart) with its placeholders
/// replaced by `lang`'s phrases (`base`'s where `lang` lacks the key).
pub(super) fn expand(
    value: &mut toml::Value,
    lang: &Phrases,
    base: &Phrases,
) -> Result<(), String> {
    match value {
        toml::Value::Table(table) => {
            for (name, v) in table.iter_mut() {
                if name != "languages" {
                    expand(v, lang, base)?;
                }
            }
        }
        toml::Value::Array(items) => {
            let mut out = Vec::with_capacity(items.len());
            for item in items.drain(..) {
                let Some(entry) = item.as_str() else {
                    out.push(item);
                    continue;
                };
                let Some(key) = placeholder(entry)? else {
                    out.push(item);
                    continue;
                };
                let phrases = lang.get(key).or_else(|| base.get(key)).ok_or_else(|| {
                    format!(
                        "entry `{entry}` names {{{key}}}, which languages.{BASE} does not define"
                    )
                })?;
                for phrase in phrases {
                    out.push(toml::Value::String(
                        entry.replace(&format!("{{{key}}}"), phrase),
                    ));
                }
            }
            *items = out;
        }
        _ => {}
    }
    Ok(())
}

/// The phrase keys the entries name, in the order they are first named.
pub(super) fn keys_named(value: &toml::Value, out: &mut Vec<String>) {
    match value {
        toml::Value::Table(table) => {
            for (name, v) in table {
                if name != "languages" {
                    keys_named(v, out);
                }
            }
        }
        toml::Value::Array(items) => {
            for key in items
                .iter()
                .filter_map(toml::Value::as_str)
                .filter_map(|e| placeholder(e).ok().flatten())
            {
                if !out.iter().any(|k| k == key) {
                    out.push(key.to_owned());
                }
            }
        }
        _ => {}
    }
}

impl SiteSpec {
    /// The file's spec for display language `code`.
    pub(super) fn expanded(file: &Path, raw: &toml::Value, code: &str) -> Result<Self, SiteError> {
        let invalid = |key: String, reason: String| SiteError::Invalid {
            file: file.to_owned(),
            key,
            reason,
        };
        let tables: std::collections::BTreeMap<String, Phrases> = match raw.get("languages") {
            Some(v) => v
                .clone()
                .try_into()
                .map_err(|e: toml::de::Error| invalid("languages".into(), e.message().into()))?,
            None => Default::default(),
        };
        let base = tables.get(BASE).cloned().unwrap_or_default();
        let phrases = tables.get(code).cloned().unwrap_or_default();
        if let Some(unused) = phrases.keys().find(|k| !base.contains_key(*k)) {
            return Err(invalid(
                format!("languages.{code}.{unused}"),
                format!("no key of languages.{} is named so", BASE),
            ));
        }
        let mut value = raw.clone();
        expand(&mut value, &phrases, &base)
            .map_err(|reason| invalid(format!("languages.{code}"), reason))?;
        let mut spec: Self = value
            .try_into()
            .map_err(|e: toml::de::Error| SiteError::Parse {
                file: file.to_owned(),
                message: e.to_string().trim().replace('\n', " "),
            })?;
        spec.validate(file).map_err(|e| match (e, code == BASE) {
            (e, true) => e,
            (SiteError::Invalid { file, key, reason }, false) => SiteError::Invalid {
                file,
                key: format!("{key} (in {code})"),
                reason,
            },
            (e, false) => e,
        })?;
        spec.language = code.to_owned();
        spec.raw = Some((file.to_owned(), raw.clone()));
        Ok(spec)
    }

    /// The display languages the file has texts for (English always).
    pub fn languages(&self) -> Vec<String> {
        let mut codes: Vec<String> = self.languages.keys().cloned().collect();
        if !codes.iter().any(|c| c == BASE) {
            codes.insert(0, BASE.to_owned());
        }
        codes
    }

    /// This spec for the page's display language (`tag`: `fr-FR`, `de`), its origin
    /// kept; `None` when the file has no texts for it.
    pub fn in_language(&self, tag: &str) -> Option<Self> {
        let code = primary(tag)?;
        if code == self.language {
            return Some(self.clone());
        }
        if !self.languages.contains_key(&code) {
            return None;
        }
        let (file, raw) = self.raw.as_ref()?;
        // validated at parse time: every language of the file expands
        Self::expanded(file, raw, &code)
            .ok()
            .map(|spec| spec.with_origin(self.origin.clone()))
    }

    /// For each display language, the phrase keys and whether it has its own texts
    /// for each (`false`: English is used).
    pub fn language_coverage(&self) -> Vec<(String, Vec<(String, bool)>)> {
        let mut keys = Vec::new();
        if let Some((_, raw)) = &self.raw {
            keys_named(raw, &mut keys);
        }
        self.languages()
            .into_iter()
            .map(|code| {
                let own = self.languages.get(&code);
                let covered = keys
                    .iter()
                    .map(|k| (k.clone(), own.is_some_and(|p| p.contains_key(k))))
                    .collect();
                (code, covered)
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_expand_per_language_with_english_as_the_fallback() {
        let mut value: toml::Value = toml::from_str(
            r#"
            next = ["button.next", 'role=button[name="{next}"]']
            [outcome]
            daily_limit_texts = ["{daily_limit}"]
            "#,
        )
        .unwrap();
        let base: Phrases = [
            ("next".into(), vec!["Next".into()]),
            ("daily_limit".into(), vec!["daily limit".into()]),
        ]
        .into();
        let fr: Phrases = [("next".into(), vec!["Suivant".into(), "Continuer".into()])].into();
        expand(&mut value, &fr, &base).unwrap();
        assert_eq!(
            value["next"],
            toml::Value::try_from(vec![
                "button.next",
                r#"role=button[name="Suivant"]"#,
                r#"role=button[name="Continuer"]"#
            ])
            .unwrap()
        );
        assert_eq!(
            value["outcome"]["daily_limit_texts"][0].as_str(),
            Some("daily limit")
        );
        let mut typo: toml::Value = toml::from_str(r#"x = ["{nxt}"]"#).unwrap();
        assert!(
            expand(&mut typo, &fr, &base)
                .unwrap_err()
                .contains("languages.en does not define")
        );
        assert_eq!(primary("fr-FR").as_deref(), Some("fr"));
        assert_eq!(primary("pt_BR").as_deref(), Some("pt"));
        assert_eq!(primary(""), None);
        assert_eq!(primary("x1"), None);
    }
}
