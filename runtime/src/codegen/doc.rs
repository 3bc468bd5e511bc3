//! Spec text inside comments. prettyplease prints every `#[doc = "..."]` as a `///` or
//! `/** */` comment, and there rustc rejects a bare carriage return and denies Unicode's
//! bidirectional controls, which string literals carry escaped. So before the file is
//! printed, every doc text (and the `@generated` line) is made comment-safe here.

use proc_macro2::{Delimiter, Group, TokenStream, TokenTree};

/// `text` safe inside a comment: CR and CRLF become LF (a space when `one_line`), and
/// other control characters and bidirectional controls become visible `\u{..}` escapes.
pub fn comment_text(text: &str, one_line: bool) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\r' | '\n' => {
                if c == '\r' && chars.peek() == Some(&'\n') {
                    chars.next();
                }
                out.push(if one_line { ' ' } else { '\n' });
            }
            '\t' => out.push(c),
            c if c.is_control() || is_bidi_control(c) => {
                out.push_str(&format!("\\u{{{:x}}}", u32::from(c)));
            }
            c => out.push(c),
        }
    }
    out
}

/// The code points of rustc's `text_direction_codepoint_in_comment` lint.
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{200e}' | '\u{200f}' | '\u{61c}')
}

/// `tokens` with the text of every `#[doc = "..."]` made comment-safe.
pub fn safe_docs(tokens: TokenStream) -> TokenStream {
    tokens
        .into_iter()
        .map(|tree| match tree {
            TokenTree::Group(group) => {
                let stream = doc_attribute(&group).unwrap_or_else(|| safe_docs(group.stream()));
                let mut safe = Group::new(group.delimiter(), stream);
                safe.set_span(group.span());
                TokenTree::Group(safe)
            }
            other => other,
        })
        .collect()
}

/// For the bracketed part of a doc attribute, `[doc = "text"]`, its safe contents.
fn doc_attribute(group: &Group) -> Option<TokenStream> {
    if group.delimiter() != Delimiter::Bracket {
        return None;
    }
    let tokens: Vec<TokenTree> = group.stream().into_iter().collect();
    let [TokenTree::Ident(name), TokenTree::Punct(eq), TokenTree::Literal(literal)] = &tokens[..]
    else {
        return None;
    };
    if name != "doc" || eq.as_char() != '=' {
        return None;
    }
    let text = syn::parse2::<syn::LitStr>(TokenTree::Literal(literal.clone()).into()).ok()?;
    let safe = syn::LitStr::new(&comment_text(&text.value(), false), text.span());
    Some(quote::quote! { #name #eq #safe })
}

#[cfg(test)]
mod tests {
    use super::*;
    use quote::quote;

    #[test]
    fn comment_text_escapes_what_rustc_refuses_in_comments() {
        assert_eq!(comment_text("a\rb\r\nc\nd", false), "a\nb\nc\nd");
        assert_eq!(comment_text("a\rb\r\nc\nd", true), "a b c d");
        assert_eq!(
            comment_text("x\u{202e}y\u{0}z\u{1b}\t", false),
            "x\\u{202e}y\\u{0}z\\u{1b}\t"
        );
        assert_eq!(comment_text("名前 über */ \"", false), "名前 über */ \"");
    }

    #[test]
    fn doc_attributes_are_made_safe_and_nothing_else_changes() {
        let hostile = "a\rb\u{202e}";
        let tokens = quote! {
            #[doc = #hostile]
            pub mod m { #[doc = #hostile] pub fn f() { let _ = #hostile; let _ = [1]; } }
        };
        let safe = safe_docs(tokens).to_string();
        assert_eq!(
            safe.matches(r#"doc = "a\nb\\u{202e}""#).count(),
            2,
            "{safe}"
        );
        assert!(safe.contains(r#"let _ = "a\rb\u{202e}""#), "{safe}");
        assert!(safe.contains("[1]"), "{safe}");
        let file = syn::parse2::<syn::File>(safe_docs(quote! { #[doc = #hostile] pub fn f() {} }));
        let printed = prettyplease::unparse(&file.unwrap());
        assert!(
            !printed.contains('\r') && !printed.contains('\u{202e}'),
            "{printed}"
        );
    }
}
