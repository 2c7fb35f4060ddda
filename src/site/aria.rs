//! Roles and accessible names on a saved page, for `selectors check --html`: the
//! static counterpart of `observe.js`'s `role()` and `accName()` (no layout, so no
//! visibility: a saved page shows everything it holds).

use scraper::{ElementRef, Html};

fn attr<'a>(el: &'a ElementRef<'_>, name: &str) -> Option<&'a str> {
    el.value()
        .attr(name)
        .map(str::trim)
        .filter(|v| !v.is_empty())
}

/// The element's ARIA role: its `role` attribute's first token, else the one its
/// tag implies.
pub fn role(el: &ElementRef<'_>) -> Option<String> {
    if let Some(r) = attr(el, "role") {
        return r.split_whitespace().next().map(str::to_ascii_lowercase);
    }
    let input_type = attr(el, "type").unwrap_or("text").to_ascii_lowercase();
    let implied = match el.value().name() {
        "button" => "button",
        "a" | "area" if attr(el, "href").is_some() => "link",
        "dialog" => "dialog",
        "textarea" => "textbox",
        "select" => "combobox",
        "fieldset" => "group",
        "option" => "option",
        "form" => "form",
        "h1" | "h2" | "h3" | "h4" | "h5" | "h6" => "heading",
        "input" => match input_type.as_str() {
            "checkbox" => "checkbox",
            "radio" => "radio",
            "button" | "submit" | "reset" | "image" => "button",
            "search" => "searchbox",
            "number" => "spinbutton",
            "text" | "email" | "tel" | "url" if attr(el, "list").is_some() => "combobox",
            "text" | "email" | "tel" | "url" | "" => "textbox",
            _ => return None,
        },
        _ => return None,
    };
    Some(implied.to_owned())
}

/// Whether the element is a form control (what a label names).
pub fn is_control(el: &ElementRef<'_>) -> bool {
    matches!(el.value().name(), "input" | "select" | "textarea")
        && attr(el, "type") != Some("hidden")
        || matches!(
            role(el).as_deref(),
            Some("checkbox" | "radio" | "textbox" | "combobox" | "switch" | "searchbox")
        )
}

/// The element's text, white space collapsed.
pub fn text(el: &ElementRef<'_>) -> String {
    el.text()
        .flat_map(str::split_whitespace)
        .collect::<Vec<_>>()
        .join(" ")
}

/// A control's text as its name: what is hidden from assistive technology
/// (`aria-hidden="true"`: an icon, a glyph) left out, as a browser computes names.
fn content_text(el: &ElementRef<'_>) -> String {
    fn collect(el: &ElementRef<'_>, words: &mut Vec<String>) {
        for child in el.children() {
            if let Some(t) = child.value().as_text() {
                words.extend(t.split_whitespace().map(str::to_owned));
            } else if let Some(e) = ElementRef::wrap(child)
                && e.value().attr("aria-hidden") != Some("true")
            {
                collect(&e, words);
            }
        }
    }
    let mut words = Vec::new();
    collect(el, &mut words);
    words.join(" ")
}

fn by_id<'a>(doc: &'a Html, id: &str) -> Option<ElementRef<'a>> {
    doc.root_element()
        .descendants()
        .filter_map(ElementRef::wrap)
        .find(|e| e.value().id() == Some(id))
}

/// The accessible name: aria-labelledby, aria-label, the labels of a control
/// (`label[for]`, a wrapping label), a fieldset's legend, a dialog's first heading,
/// the text of a control named by its content, the title.
pub fn name(doc: &Html, el: &ElementRef<'_>) -> String {
    if let Some(ids) = attr(el, "aria-labelledby") {
        let joined = ids
            .split_whitespace()
            .filter_map(|id| by_id(doc, id))
            .map(|e| text(&e))
            .collect::<Vec<_>>()
            .join(" ");
        if !joined.trim().is_empty() {
            return joined;
        }
    }
    if let Some(label) = attr(el, "aria-label") {
        return label.to_owned();
    }
    if is_control(el) {
        let mut labels: Vec<String> = Vec::new();
        if let Some(id) = el.value().id() {
            labels.extend(
                doc.root_element()
                    .descendants()
                    .filter_map(ElementRef::wrap)
                    .filter(|l| l.value().name() == "label" && l.value().attr("for") == Some(id))
                    .map(|l| text(&l)),
            );
        }
        if let Some(wrap) = el
            .ancestors()
            .filter_map(ElementRef::wrap)
            .find(|a| a.value().name() == "label")
        {
            labels.push(text(&wrap));
        }
        if !labels.is_empty() {
            return labels.join(" ");
        }
    }
    let first_child = |tags: &[&str]| {
        el.descendants()
            .filter_map(ElementRef::wrap)
            .find(|c| tags.contains(&c.value().name()))
            .map(|c| text(&c))
    };
    match role(el).as_deref() {
        Some("group" | "radiogroup") if el.value().name() == "fieldset" => {
            if let Some(legend) = first_child(&["legend"]) {
                return legend;
            }
        }
        Some("dialog" | "alertdialog") => {
            if let Some(h) = first_child(&["h1", "h2", "h3"]) {
                return h;
            }
        }
        Some(
            "button" | "link" | "option" | "tab" | "radio" | "checkbox" | "menuitem" | "heading"
            | "switch",
        ) if !is_control(el) || el.value().name() == "button" => {
            let t = content_text(el);
            if !t.is_empty() {
                return t;
            }
        }
        _ => {}
    }
    attr(el, "title").unwrap_or_default().to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_name_leaves_out_what_is_hidden_from_assistive_technology() {
        let doc = Html::parse_document(
            r#"<a id="x" href="/safety/go/?url=u">Apply <span aria-hidden="true">↗</span></a>
               <button id="y"><svg aria-hidden="true"></svg> Easy <b>Apply</b></button>"#,
        );
        let by = |id: &str| {
            doc.root_element()
                .descendants()
                .filter_map(ElementRef::wrap)
                .find(|e| e.value().id() == Some(id))
                .unwrap()
        };
        assert_eq!(name(&doc, &by("x")), "Apply");
        assert_eq!(name(&doc, &by("y")), "Easy Apply");
    }
}
