//! One identity: what the stored user agent says, presented the same on every
//! surface a page reads — the UA string, `navigator.platform`, the client hints
//! (`navigator.userAgentData` and the `Sec-CH-UA*` headers: brands with "Google
//! Chrome" when the string is Chrome's, platform, version list) — and the user's
//! language in `Accept-Language`, `navigator.languages` and `Intl`. Pure: the
//! browser applies it (`Emulation.setUserAgentOverride`, `setLocaleOverride`)
//! before the first navigation.

use chromiumoxide_cdp::cdp::browser_protocol::emulation::{
    UserAgentBrandVersion, UserAgentMetadata,
};

/// What the browser presents.
#[derive(Debug, Clone, PartialEq)]
pub struct Identity {
    /// the user agent string
    pub user_agent: String,
    /// `navigator.platform`
    pub platform: String,
    /// the client hints
    pub metadata: UserAgentMetadata,
    /// the user's languages, without weights: `navigator.languages` as given, and
    /// `Accept-Language` with the weights Chromium adds
    pub accept_language: String,
    /// the ICU locale (`Intl`)
    pub locale: String,
}

/// The system a user agent string names.
fn system(ua: &str) -> (&'static str, &'static str, &'static str) {
    // (client-hint platform, navigator.platform, platform version)
    if ua.contains("Windows") {
        ("Windows", "Win32", "10.0.0")
    } else if ua.contains("Mac OS X") || ua.contains("Macintosh") {
        ("macOS", "MacIntel", "14.5.0")
    } else if ua.contains("CrOS") {
        ("Chrome OS", "Linux x86_64", "")
    } else {
        ("Linux", "Linux x86_64", "")
    }
}

/// The language a display language (`fr-fr`, `pt_BR`, `de`) asks for: `fr-FR`;
/// English (US) without one.
pub fn language_tag(display: Option<&str>) -> String {
    let Some(display) = display.map(str::trim).filter(|d| !d.is_empty()) else {
        return "en-US".into();
    };
    let mut parts = display.split(['-', '_']);
    let lang = parts.next().unwrap_or("en").to_ascii_lowercase();
    match parts.next() {
        Some(region) if !region.is_empty() => format!("{lang}-{}", region.to_ascii_uppercase()),
        _ => lang,
    }
}

/// `Accept-Language` for a language tag: itself, its language, then English.
fn accept_language(tag: &str) -> String {
    let lang = tag.split('-').next().unwrap_or("en");
    let mut list = vec![tag.to_owned()];
    if lang != tag {
        list.push(format!("{lang};q=0.9"));
    }
    if lang != "en" {
        list.push("en-US;q=0.8".into());
        list.push("en;q=0.7".into());
    }
    list.join(",")
}

/// The browser's own list of languages for a user whose display language is
/// `display` (`--accept-lang`, without weights: Chromium adds them): what a request
/// the page-level override does not reach carries (a keep-alive beacon sent as a
/// page closes).
pub fn accept_languages(display: Option<&str>) -> String {
    accept_language(&language_tag(display))
        .split(',')
        .map(|l| l.split(';').next().unwrap_or(l))
        .collect::<Vec<_>>()
        .join(",")
}

/// The identity of `user_agent` for a user whose display language is `display`.
pub fn identity(user_agent: &str, display: Option<&str>) -> Identity {
    let (platform, navigator_platform, platform_version) = system(user_agent);
    // "Chrome/131.0.6778.85": the full version, and its major
    let full = user_agent
        .split("Chrome/")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .unwrap_or("")
        .to_owned();
    let major = full.split('.').next().unwrap_or("").to_owned();
    let brand_of = |version: &str| {
        if full.is_empty() {
            return Vec::new();
        }
        let edge = user_agent.contains("Edg/");
        let product = if edge {
            "Microsoft Edge"
        } else {
            "Google Chrome"
        };
        let grease = if version.contains('.') {
            "99.0.0.0"
        } else {
            "99"
        };
        // Chrome's GREASE brand first, then the product and Chromium
        vec![
            UserAgentBrandVersion::new("Not A(Brand", grease),
            UserAgentBrandVersion::new(product, version),
            UserAgentBrandVersion::new("Chromium", version),
        ]
    };
    let mobile = user_agent.contains("Mobile");
    let tag = language_tag(display);
    Identity {
        user_agent: user_agent.to_owned(),
        platform: navigator_platform.to_owned(),
        metadata: UserAgentMetadata {
            brands: Some(brand_of(&major)),
            full_version_list: Some(brand_of(&full)),
            platform: platform.to_owned(),
            platform_version: platform_version.to_owned(),
            architecture: "x86".into(),
            model: String::new(),
            mobile,
            bitness: Some("64".into()),
            wow64: Some(false),
            form_factors: Some(vec![if mobile { "Mobile" } else { "Desktop" }.into()]),
        },
        // without weights: Chromium adds them to the header, and takes the list as
        // given for `navigator.languages` (weights there, `"en;q=0.9"`, are a tell)
        accept_language: accept_languages(display),
        locale: tag.replace('-', "_"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const WINDOWS: &str = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.6778.85 Safari/537.36";
    const LINUX: &str = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36";

    #[test]
    fn a_windows_chrome_session_is_windows_and_chrome_everywhere() {
        let id = identity(WINDOWS, Some("fr-fr"));
        assert_eq!(id.platform, "Win32");
        assert_eq!(id.metadata.platform, "Windows");
        let brands: Vec<(String, String)> = id
            .metadata
            .brands
            .clone()
            .unwrap()
            .into_iter()
            .map(|b| (b.brand, b.version))
            .collect();
        assert!(
            brands.contains(&("Google Chrome".into(), "131".into())),
            "{brands:?}"
        );
        assert!(brands.contains(&("Chromium".into(), "131".into())));
        let full = id.metadata.full_version_list.unwrap();
        assert!(
            full.iter()
                .any(|b| b.brand == "Google Chrome" && b.version == "131.0.6778.85")
        );
        assert_eq!(id.accept_language, "fr-FR,fr,en-US,en");
        assert_eq!(accept_languages(Some("fr-fr")), "fr-FR,fr,en-US,en");
        assert_eq!(accept_languages(None), "en-US,en");
        assert_eq!(id.locale, "fr_FR");
        assert!(!id.metadata.mobile);
    }

    #[test]
    fn linux_and_english_by_default() {
        let id = identity(LINUX, None);
        assert_eq!(
            (id.platform.as_str(), id.metadata.platform.as_str()),
            ("Linux x86_64", "Linux")
        );
        assert_eq!(id.accept_language, "en-US,en");
        assert_eq!(language_tag(Some("pt_br")), "pt-BR");
        assert_eq!(language_tag(Some("de")), "de");
        assert_eq!(identity(LINUX, Some("de")).accept_language, "de,en-US,en");
        // not Chrome's string: no brand claimed
        assert_eq!(identity("curl/8", None).metadata.brands, Some(Vec::new()));
    }
}
