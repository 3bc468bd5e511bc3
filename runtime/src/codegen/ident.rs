//! The one place where spec text becomes Rust identifiers: sanitised, checked with syn,
//! keywords made raw, and collisions given stable suffixes.

use std::collections::HashSet;

/// Every Rust keyword (strict, reserved and weak-in-edition-2021 that matter as names).
pub const KEYWORDS: &[&str] = &[
    "as",
    "async",
    "await",
    "break",
    "const",
    "continue",
    "crate",
    "dyn",
    "else",
    "enum",
    "extern",
    "false",
    "fn",
    "for",
    "if",
    "impl",
    "in",
    "let",
    "loop",
    "match",
    "mod",
    "move",
    "mut",
    "pub",
    "ref",
    "return",
    "self",
    "Self",
    "static",
    "struct",
    "super",
    "trait",
    "true",
    "type",
    "unsafe",
    "use",
    "where",
    "while",
    "abstract",
    "become",
    "box",
    "do",
    "final",
    "gen",
    "macro",
    "override",
    "priv",
    "try",
    "typeof",
    "unsized",
    "virtual",
    "yield",
    "union",
    "macro_rules",
    "raw",
    "safe",
];

/// Keywords that cannot be raw identifiers: they get a trailing underscore instead.
const NOT_RAW: &[&str] = &["crate", "self", "Self", "super", "_"];

/// `snake_case` from any text: ASCII letters and digits kept, camelCase split, every other
/// run of characters one underscore; never empty, never starting with a digit.
pub fn snake(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut previous_lower = false;
    for c in text.chars() {
        if c.is_ascii_alphanumeric() {
            if c.is_ascii_uppercase() && previous_lower {
                out.push('_');
            }
            previous_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
            out.push(c.to_ascii_lowercase());
        } else {
            previous_lower = false;
            if !out.ends_with('_') {
                out.push('_');
            }
        }
    }
    let trimmed = out.trim_matches('_');
    let mut name = if trimmed.is_empty() {
        "unnamed".to_string()
    } else {
        trimmed.to_string()
    };
    if name.starts_with(|c: char| c.is_ascii_digit()) {
        name.insert(0, 'n');
    }
    name
}

/// `PascalCase` from any text, by way of `snake`.
pub fn pascal(text: &str) -> String {
    snake(text)
        .split('_')
        .filter(|part| !part.is_empty())
        .map(|part| {
            let mut chars = part.chars();
            match chars.next() {
                Some(first) => first.to_ascii_uppercase().to_string() + chars.as_str(),
                None => String::new(),
            }
        })
        .collect()
}

/// A name as a `syn::Ident`: keywords become raw (`r#type`) or, where Rust forbids that,
/// get a trailing underscore; anything syn still refuses becomes `unnamed`.
pub fn ident(name: &str) -> syn::Ident {
    let text = if NOT_RAW.contains(&name) {
        format!("{name}_")
    } else if KEYWORDS.contains(&name) {
        format!("r#{name}")
    } else {
        name.to_string()
    };
    syn::parse_str::<syn::Ident>(&text)
        .unwrap_or_else(|_| syn::Ident::new("unnamed", proc_macro2::Span::call_site()))
}

/// Hands out unique names in one scope: a name taken before gets `_2`, `_3`, ... in the
/// order asked, so the same input always yields the same names.
#[derive(Default)]
pub struct Names {
    taken: HashSet<String>,
}

impl Names {
    /// A scope where `reserved` names are already taken.
    pub fn with_reserved(reserved: &[&str]) -> Names {
        Names {
            taken: reserved.iter().map(|s| s.to_string()).collect(),
        }
    }

    /// `base`, or `base_N` for the smallest N from 2 not yet taken; a `CamelCase` type
    /// name gets `BaseN`, as `non_camel_case_types` wants.
    pub fn unique(&mut self, base: &str) -> String {
        let camel = base.starts_with(|c: char| c.is_ascii_uppercase()) && !base.contains('_');
        let separator = if camel { "" } else { "_" };
        let mut candidate = base.to_string();
        let mut n = 2;
        while !self.taken.insert(candidate.clone()) {
            candidate = format!("{base}{separator}{n}");
            n += 1;
        }
        candidate
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_keyword_becomes_a_valid_identifier() {
        for keyword in KEYWORDS.iter().chain(NOT_RAW) {
            let id = ident(keyword);
            let text = id.to_string();
            assert!(
                syn::parse_str::<syn::Ident>(&text).is_ok(),
                "{keyword} -> {text}"
            );
            assert_ne!(text, *keyword, "{keyword} must be escaped");
        }
    }

    #[test]
    fn snake_and_pascal_handle_hostile_text() {
        assert_eq!(snake("getUserByID"), "get_user_by_id");
        assert_eq!(
            snake("/api/v1/documents/{doc_id}"),
            "api_v1_documents_doc_id"
        );
        assert_eq!(snake("Body_upload-session"), "body_upload_session");
        assert_eq!(snake("123abc"), "n123abc");
        assert_eq!(snake("\"}; fn evil() {"), "fn_evil");
        assert_eq!(snake("ümlaut"), "mlaut");
        assert_eq!(snake("日本"), "unnamed");
        assert_eq!(pascal("get /tickets/{ticket_id}"), "GetTicketsTicketId");
        assert_eq!(pascal(""), "Unnamed");
        for text in [
            "a\nb",
            "x\\y",
            "*/ #[",
            "include_str!(\"/etc/passwd\")",
            "r#type",
        ] {
            let name = snake(text);
            assert!(
                syn::parse_str::<syn::Ident>(&ident(&name).to_string()).is_ok(),
                "{text}"
            );
        }
    }

    #[test]
    fn names_collide_into_stable_suffixes() {
        let mut names = Names::with_reserved(&["body"]);
        assert_eq!(names.unique("body"), "body_2");
        assert_eq!(names.unique("id"), "id");
        assert_eq!(names.unique("id"), "id_2");
        assert_eq!(names.unique("id"), "id_3");
        assert_eq!(names.unique("GetParams"), "GetParams");
        assert_eq!(names.unique("GetParams"), "GetParams2");
        assert_eq!(names.unique("GetParams"), "GetParams3");
    }
}
