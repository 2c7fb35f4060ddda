//! A salary (or rate) question answered only in the profile's own currency, period
//! and scale: a question that names another currency ("in USD", "$", "dólares"), a
//! period the profile does not use ("per hour") or a scale ("in thousands") is asked,
//! never converted and never answered in another currency.

use super::{Value, lexicon::has, normalize};
use crate::domain::profile::Salary;

/// Currencies by what a question may write: symbols (checked on the raw text, longest
/// first, so that "R$" is not "$"), then ISO codes and words (on the folded text).
const SYMBOLS: &[(&str, &str)] = &[
    ("US$", "USD"),
    ("CA$", "CAD"),
    ("C$", "CAD"),
    ("AU$", "AUD"),
    ("A$", "AUD"),
    ("NZ$", "NZD"),
    ("MX$", "MXN"),
    ("R$", "BRL"),
    ("S$", "SGD"),
    ("$", "USD"),
    ("€", "EUR"),
    ("£", "GBP"),
    ("₹", "INR"),
    ("¥", "JPY"),
    ("₩", "KRW"),
    ("zł", "PLN"),
];

/// Words (folded) that name a currency in the five languages; a trailing `*` matches
/// the start of a word.
const WORDS: &[(&str, &str)] = &[
    ("us dollar*", "USD"),
    ("dollar*", "USD"),
    ("dólar*", "USD"),
    ("dolar*", "USD"),
    ("euro*", "EUR"),
    ("pound*", "GBP"),
    ("sterling", "GBP"),
    ("libra*", "GBP"),
    ("livre* sterling", "GBP"),
    ("pfund", "GBP"),
    ("rupee*", "INR"),
    ("reais", "BRL"),
    ("franken", "CHF"),
    ("franc* suisse*", "CHF"),
    ("swiss franc*", "CHF"),
    ("peso* mexicano*", "MXN"),
    ("mexican peso*", "MXN"),
];

/// ISO 4217 codes a question may name.
const CODES: &[&str] = &[
    "USD", "EUR", "GBP", "CHF", "CAD", "AUD", "NZD", "INR", "BRL", "MXN", "JPY", "SEK", "NOK",
    "DKK", "PLN", "CZK", "SGD", "ZAR", "ARS", "CLP", "COP", "PEN", "HUF", "RON", "TRY", "AED",
];

/// The currencies a question names (ISO codes, upper case), each once.
pub(super) fn currencies(raw: &str) -> Vec<&'static str> {
    let mut found: Vec<&'static str> = Vec::new();
    let mut add = |code: &'static str| {
        if !found.contains(&code) {
            found.push(code);
        }
    };
    // symbols, longest first, each occurrence taken once
    let mut rest = raw.to_owned();
    for (symbol, code) in SYMBOLS {
        if rest.contains(symbol) {
            add(code);
            rest = rest.replace(symbol, " ");
        }
    }
    let folded = format!(" {} ", normalize(raw));
    for code in CODES {
        if folded.contains(&format!(" {} ", code.to_ascii_lowercase())) {
            add(code);
        }
    }
    for (word, code) in WORDS {
        let hit = match word.strip_suffix('*') {
            Some(stem) => folded.contains(&format!(" {stem}")),
            None => folded.contains(&format!(" {word} ")),
        };
        if hit {
            add(code);
        }
    }
    found
}

/// The salary expectation, only when the question asks for the profile's period, in
/// its currency (a question naming another currency, or naming one when the profile
/// states none, is asked) and not in thousands.
pub(super) fn salary(s: &Salary, label: &str, raw: &str) -> Option<Value> {
    let period = s.period.as_deref().unwrap_or("year");
    let asked = if has("month", label) {
        "month"
    } else if has("hour", label) {
        "hour"
    } else {
        "year"
    };
    if asked != period {
        return None;
    }
    let named = currencies(raw);
    if !named.is_empty() {
        let ours = s.currency.as_deref().map(str::to_ascii_uppercase)?;
        if !named.iter().any(|c| *c == ours) {
            return None;
        }
    }
    // "in thousands", "(k)", "85k": a figure of another scale
    let padded = format!(" {label} ");
    if ["thousand", "tausend", "milliers", "miles", "mil", "k"]
        .iter()
        .any(|w| padded.contains(&format!(" {w} ")) || padded.contains(&format!(" {w}s ")))
    {
        return None;
    }
    Some(Value::Number(s.amount))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_question_names_its_currency_by_symbol_code_or_word() {
        for (question, want) in [
            ("What is your expected annual salary (USD)?", vec!["USD"]),
            ("Expected salary in $", vec!["USD"]),
            ("Pretensão salarial (R$)", vec!["BRL"]),
            ("Salario esperado en dólares", vec!["USD"]),
            ("Gehaltsvorstellung in Euro", vec!["EUR"]),
            ("Expected salary (£)", vec!["GBP"]),
            ("Prétentions salariales en CHF", vec!["CHF"]),
            ("Desired pay (CA$ or US$)", vec!["USD", "CAD"]),
            ("What is your expected annual salary?", vec![]),
        ] {
            let mut got = currencies(question);
            got.sort_unstable();
            let mut want = want;
            want.sort_unstable();
            assert_eq!(got, want, "{question}");
        }
    }

    #[test]
    fn a_salary_is_given_only_in_the_profiles_currency_period_and_scale() {
        let pounds = Salary {
            amount: 85_000,
            currency: Some("GBP".into()),
            period: None,
        };
        let ask = |raw: &str, s: &Salary| salary(s, &normalize(raw), raw);
        assert_eq!(
            ask("Expected annual salary (GBP)", &pounds),
            Some(Value::Number(85_000))
        );
        assert_eq!(
            ask("Expected salary in £", &pounds),
            Some(Value::Number(85_000))
        );
        assert_eq!(ask("Expected salary", &pounds), Some(Value::Number(85_000)));
        assert_eq!(
            ask("Expected annual salary in US dollars", &pounds),
            None,
            "never pounds as dollars"
        );
        assert_eq!(ask("Expected salary ($)", &pounds), None);
        assert_eq!(ask("Expected salary (EUR)", &pounds), None);
        assert_eq!(
            ask("Expected hourly rate (GBP)", &pounds),
            None,
            "a yearly figure is not an hourly one"
        );
        assert_eq!(ask("Expected salary in thousands (GBP)", &pounds), None);
        assert_eq!(ask("Expected salary (k£)", &pounds), None);
        let unknown = Salary {
            currency: None,
            ..pounds
        };
        assert_eq!(
            ask("Expected salary (USD)", &unknown),
            None,
            "no currency stated: asked"
        );
        assert_eq!(
            ask("Expected salary", &unknown),
            Some(Value::Number(85_000))
        );
    }
}
