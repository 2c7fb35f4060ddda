//! The words screening questions use for each fact of the profile, per display
//! language, as data (`lexicon.toml`, built in): a question is recognised in any of
//! the languages; one none of them recognise is asked, never guessed.

use std::{collections::BTreeMap, sync::OnceLock};

use super::normalize;

/// The facts the profile answers, each a table of `lexicon.toml`.
pub const FACTS: &[&str] = &[
    "years",
    "experience",
    "first_name",
    "last_name",
    "email",
    "phone_country",
    "phone",
    "sponsorship",
    "work_authorization",
    "relocation",
    "commute",
    "background_check",
    "notice_period",
    "salary",
    "city",
    "week",
    "month",
    "day",
    "hour",
    "resume",
    "cover_letter",
    "gender",
    "ethnicity",
    "veteran",
    "disability",
    "driving_licence",
    "immediate_start",
    "start_date",
    "remote",
    "hybrid",
    "on_site",
    "education",
    "certification",
    "proficiency",
];

/// One fact's phrases, folded: `(phrase, prefix)` — a prefix phrase matches the start
/// of a word.
type Phrases = Vec<(String, bool)>;

fn lexicon() -> &'static BTreeMap<String, Phrases> {
    static LEXICON: OnceLock<BTreeMap<String, Phrases>> = OnceLock::new();
    LEXICON.get_or_init(|| {
        let raw: BTreeMap<String, BTreeMap<String, Vec<String>>> =
            toml::from_str(include_str!("lexicon.toml")).expect("the built-in lexicon parses");
        raw.into_iter()
            .map(|(fact, languages)| {
                let phrases = languages
                    .into_values()
                    .flatten()
                    .map(|p| {
                        let prefix = p.trim_end().ends_with('*');
                        (normalize(p.trim_end().trim_end_matches('*')), prefix)
                    })
                    .filter(|(p, _)| !p.is_empty())
                    .collect();
                (fact, phrases)
            })
            .collect()
    })
}

/// Whether the folded question `label` speaks of `fact` in one of the languages: a
/// phrase's words in any order and inflection ([`same_word`]), close together (the
/// phrase's length and up to [`SPREAD`] words more: "berechtigt, im Vereinigten
/// Königreich zu arbeiten" holds "berechtigt zu arbeiten").
pub fn has(fact: &str, label: &str) -> bool {
    let words: Vec<&str> = label.split(' ').collect();
    lexicon().get(fact).is_some_and(|phrases| {
        phrases
            .iter()
            .any(|(phrase, prefix)| holds(&words, phrase, *prefix))
    })
}

/// Words a phrase's words may stand apart by, besides its own.
const SPREAD: usize = 4;

fn holds(words: &[&str], phrase: &str, prefix: bool) -> bool {
    let wanted: Vec<&str> = phrase.split(' ').collect();
    let last = wanted.len() - 1;
    let span = (wanted.len() + SPREAD).min(words.len());
    (0..=words.len() - span).any(|start| {
        let window = &words[start..start + span];
        wanted.iter().enumerate().all(|(k, want)| {
            window.iter().any(|w| {
                if prefix && k == last {
                    w.starts_with(want)
                } else {
                    same_word(w, want)
                }
            })
        })
    })
}

/// The same word, or an inflection of it: equal, or (five letters or more) sharing
/// all but at most two letters at the end ("autorizado"/"autorizada",
/// "berechtigt"/"berechtigte", "legal"/"legally"; never "work"/"worker").
fn same_word(word: &str, want: &str) -> bool {
    if word == want {
        return true;
    }
    let common = word
        .chars()
        .zip(want.chars())
        .take_while(|(a, b)| a == b)
        .count();
    let longest = word.chars().count().max(want.chars().count());
    common >= 5 && common + 2 >= longest
}

/// The languages the lexicon has phrases in, per fact (for `selectors check`).
pub fn languages() -> Vec<String> {
    let raw: BTreeMap<String, BTreeMap<String, Vec<String>>> =
        toml::from_str(include_str!("lexicon.toml")).expect("the built-in lexicon parses");
    let mut codes: Vec<String> = raw.values().flat_map(|l| l.keys().cloned()).collect();
    codes.sort();
    codes.dedup();
    codes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_fact_has_phrases_in_the_five_languages() {
        let raw: BTreeMap<String, BTreeMap<String, Vec<String>>> =
            toml::from_str(include_str!("lexicon.toml")).unwrap();
        for fact in FACTS {
            let languages = raw.get(*fact).unwrap_or_else(|| panic!("no [{fact}]"));
            for code in ["en", "fr", "de", "es", "pt"] {
                assert!(
                    languages.get(code).is_some_and(|p| !p.is_empty()),
                    "[{fact}] has no {code}"
                );
            }
        }
        assert_eq!(raw.len(), FACTS.len(), "a table no fact reads");
        assert_eq!(languages(), ["de", "en", "es", "fr", "pt"]);
    }

    #[test]
    fn phrases_match_whole_words_or_word_starts() {
        let q = |s: &str| normalize(s);
        assert!(has("phone", &q("Numéro de téléphone mobile")));
        assert!(has(
            "work_authorization",
            &q("Êtes-vous autorisé(e) à travailler en France ?")
        ));
        assert!(has("relocation", &q("Are you willing to relocate?")));
        assert!(has("email", &q("Adresse e-mail")));
        assert!(has("first_name", &q("Vorname")));
        assert!(!has("first_name", &q("Nachname")));
        assert!(!has("years", &q("Yearsley Street")), "whole words only");
    }

    #[test]
    fn a_phrase_is_found_in_any_order_and_inflection_in_each_language() {
        let q = |s: &str| normalize(s);
        for question in [
            "Sind Sie berechtigt, im Vereinigten Königreich zu arbeiten?",
            "Are you, as of today, authorized in the United States to work?",
            "¿Está usted autorizada legalmente para trabajar en España?",
            "Você está legalmente autorizada a trabalhar no Brasil?",
            "Êtes-vous légalement autorisée à travailler au Canada ?",
            "¿Cuentas con permiso vigente de trabajo en México?",
        ] {
            assert!(has("work_authorization", &q(question)), "{question}");
        }
        assert!(has(
            "background_check",
            &q("Would you consent to a check of your background?")
        ));
        // too far apart, or another word: not that fact
        assert!(!has(
            "work_authorization",
            &q(
                "Are you authorized to share the code you wrote at your previous job, and would you work weekends?"
            )
        ));
        assert!(!has("experience", &q("Have you experimented with Rust?")));
        assert!(!same_word("work", "worker"));
        assert!(!same_word("autorisé", "autorisation"));
        assert!(same_word("berechtigte", "berechtigt"));
    }
}
