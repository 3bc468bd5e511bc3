//! The hostile fixture (`tests/fixtures/hostile`, written by its `make_hostile.py`):
//! build.rs generates `OUT_DIR/hostile.rs` from it by the same pipeline as the real
//! transactions, so it compiling at all is the first test; the tests here check that
//! every operation made it, that each samples without panicking, and that spec text
//! appears in the source only inside string literals.

use crate::params::Values;
use proc_macro2::{TokenStream, TokenTree};
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::Path;
use syn::visit::{self, Visit};

// Setters nothing here calls are fine; clippy's style lints on generated code show on
// `crate::generated` already, and here would repeat once per hostile operation.
#[allow(dead_code, clippy::all)]
mod hostile {
    include!(concat!(env!("OUT_DIR"), "/hostile.rs"));
}

/// The generated source, as compiled above.
const SOURCE: &str = include_str!(concat!(env!("OUT_DIR"), "/hostile.rs"));

/// The fixture snapshot, relative to the crate root.
const FIXTURE: &str = "tests/fixtures/hostile";

/// The methods Goose can send; the fixture's OPTIONS and TRACE operations are left out.
const SENDABLE: [&str; 6] = ["get", "put", "post", "delete", "patch", "head"];

/// Every operation the fixture defines that Goose can send: (app, METHOD, prefix + path),
/// read from the JSON itself rather than through the pipeline under test.
fn fixture_operations() -> Vec<(String, String, String)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(FIXTURE);
    let read = |file: &str| -> Value {
        let text = std::fs::read_to_string(dir.join(file)).expect("read the hostile fixture");
        serde_json::from_str(&text).expect("the hostile fixture is JSON")
    };
    let mut operations = Vec::new();
    for app in read("apps.json").as_array().expect("apps.json is a list") {
        let field = |key: &str| app[key].as_str().expect("apps.json field").to_string();
        let document = read(&field("file"));
        let paths = document["paths"].as_object().expect("paths");
        // OpenAPI paths start with `/`; openapiv3 drops any other key (`{lead}/no-slash`).
        for (path, item) in paths.iter().filter(|(path, _)| path.starts_with('/')) {
            let item = item.as_object().expect("path item");
            for method in SENDABLE.iter().filter(|m| item.contains_key(**m)) {
                let full_path = format!("{}{path}", field("prefix"));
                operations.push((field("name"), method.to_ascii_uppercase(), full_path));
            }
        }
    }
    operations.sort();
    operations
}

#[test]
fn the_registry_holds_every_sendable_operation_with_its_path_verbatim() {
    let expected = fixture_operations();
    assert!(expected.len() > 1_000, "the fixture has {}", expected.len());
    let mut registered: Vec<(String, String, String)> = hostile::OPERATIONS
        .iter()
        .map(|op| {
            (
                op.app.to_string(),
                op.method.to_string(),
                op.path.to_string(),
            )
        })
        .collect();
    registered.sort();
    let missing: Vec<_> = expected
        .iter()
        .filter(|o| !registered.contains(o))
        .collect();
    let extra: Vec<_> = registered
        .iter()
        .filter(|o| !expected.contains(o))
        .collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "missing from the registry: {missing:?}\nnot in the fixture: {extra:?}"
    );
    assert_eq!(registered, expected, "an operation is registered twice");
}

#[test]
fn app_scenarios_register_every_operation() {
    // Sanitised module names: `type` is a raw identifier, `Self` cannot be one, `docs-v1`
    // and `docs_v1` collide, `scenarios` is taken. The bulk app's scenario is left out:
    // building it compiles its 1,000 async fns, about 30 s of CPU on every rebuild.
    let scenarios = [
        hostile::root::scenario(),
        hostile::r#type::scenario(),
        hostile::self_::scenario(),
        hostile::docs_v1::scenario(),
        hostile::docs_v1_2::scenario(),
        hostile::scenarios_2::scenario(),
    ];
    for scenario in scenarios {
        let scenario = scenario.expect("the scenario builds");
        let app = scenario.name.trim_start_matches("Generated ");
        let transactions: BTreeSet<&str> = scenario
            .transactions
            .iter()
            .map(|t| match &t.name {
                goose::goose::TransactionName::InheritNameByRequests(name)
                | goose::goose::TransactionName::TransactionOnly(name) => &**name,
            })
            .collect();
        let operations: Vec<_> = hostile::OPERATIONS
            .iter()
            .filter(|op| op.app == app)
            .collect();
        assert!(!operations.is_empty(), "no operations for {app}");
        for op in operations {
            let name = format!("{} {}", op.method, op.path);
            assert!(transactions.contains(name.as_str()), "{app} lacks {name:?}");
        }
    }
}

/// The literal pieces of a path template, in order: the text around each `{name}`
/// (an unclosed `{` and everything after it is literal).
fn literal_pieces(template: &str) -> Vec<&str> {
    let mut pieces: Vec<&str> = crate::spec::template::pieces(template)
        .into_iter()
        .filter_map(|piece| match piece {
            crate::spec::template::Piece::Literal(text) => Some(text),
            crate::spec::template::Piece::Param(_) => None,
        })
        .collect();
    if !template.starts_with(pieces.first().copied().unwrap_or("")) || pieces.is_empty() {
        pieces.insert(0, "");
    }
    pieces
}

#[test]
fn every_operation_samples_a_request_for_its_template() {
    for seed in 1..=3 {
        for op in hostile::OPERATIONS {
            let parts = (op.sample)(&mut Values::new(crate::rng::from_seed(seed)));
            let context = format!("{} {:?} (seed {seed})", op.method, op.path);
            assert_eq!(parts.template, op.path, "{context}");
            let method = format!("{:?}", parts.method).to_ascii_uppercase();
            assert_eq!(method, op.method, "{context}");
            let pieces = literal_pieces(op.path);
            assert!(
                parts.path.starts_with(pieces[0]),
                "{context}: sampled {:?}",
                parts.path
            );
            // Every literal piece of the template is there, in order.
            let mut rest = parts.path.as_str();
            for piece in &pieces {
                let at = rest
                    .find(piece)
                    .unwrap_or_else(|| panic!("{context}: {piece:?} is not in {:?}", parts.path));
                rest = &rest[at + piece.len()..];
            }
            // The request builds as the transaction builds it: hostile names and values
            // become valid HTTP or are left out, never a request reqwest refuses.
            let text = crate::commands::sample::requests(op, 1, seed, &loopback())
                .unwrap_or_else(|e| panic!("{context}: {e}"));
            let line = format!("{} http://127.0.0.1:1/", op.method);
            assert!(text.starts_with(&line), "{context}: {text}");
            assert!(!text.contains("secret"), "{context}: {text}");
        }
    }
}

/// What a source file contains besides literals: macro names, attribute names and
/// identifiers (also those inside macro and attribute tokens), and the string literals.
/// (The fuzz tests take the same inventory of every file they generate.)
#[derive(Default)]
pub(super) struct Inventory {
    pub(super) macros: BTreeSet<String>,
    pub(super) attributes: BTreeSet<String>,
    pub(super) idents: BTreeSet<String>,
    pub(super) strings: Vec<String>,
}

impl Inventory {
    fn tokens(&mut self, tokens: TokenStream) {
        let mut previous_ident = None;
        for tree in tokens {
            match tree {
                TokenTree::Ident(ident) => {
                    self.idents.insert(ident.to_string());
                    previous_ident = Some(ident.to_string());
                    continue;
                }
                // `name!` inside a macro's tokens is a macro call too.
                TokenTree::Punct(punct) if punct.as_char() == '!' => {
                    self.macros.extend(previous_ident.take());
                }
                TokenTree::Punct(_) => {}
                TokenTree::Group(group) => self.tokens(group.stream()),
                TokenTree::Literal(literal) => {
                    if let Ok(text) = syn::parse2::<syn::LitStr>(TokenTree::Literal(literal).into())
                    {
                        self.strings.push(text.value());
                    }
                }
            }
            previous_ident = None;
        }
    }
}

fn last_segment(path: &syn::Path) -> String {
    path.segments
        .last()
        .map(|s| s.ident.to_string())
        .unwrap_or_default()
}

impl<'ast> Visit<'ast> for Inventory {
    fn visit_macro(&mut self, mac: &'ast syn::Macro) {
        self.macros.insert(last_segment(&mac.path));
        self.tokens(mac.tokens.clone());
        visit::visit_macro(self, mac);
    }

    fn visit_attribute(&mut self, attr: &'ast syn::Attribute) {
        self.attributes.insert(last_segment(attr.path()));
        if let syn::Meta::List(list) = &attr.meta {
            self.tokens(list.tokens.clone());
        }
        visit::visit_attribute(self, attr);
    }

    fn visit_ident(&mut self, ident: &'ast proc_macro2::Ident) {
        self.idents.insert(ident.to_string());
    }

    fn visit_lit_str(&mut self, lit: &'ast syn::LitStr) {
        self.strings.push(lit.value());
    }
}

#[test]
fn spec_text_appears_only_inside_string_literals() {
    let file = syn::parse_file(SOURCE).expect("the generated source parses");
    let mut inventory = Inventory::default();
    inventory.visit_file(&file);

    let allowed_macros = BTreeSet::from(["vec".to_string()]);
    assert_eq!(
        inventory.macros, allowed_macros,
        "macro calls in the generated code"
    );
    let allowed_attributes = BTreeSet::from(["derive".to_string(), "doc".to_string()]);
    assert_eq!(
        inventory.attributes, allowed_attributes,
        "attributes in the generated code"
    );
    // (`"); panic!("` is a parameter name: sanitised, it is the field `panic`.)
    for name in ["exit", "include_str", "passwd", "evil"] {
        assert!(
            !inventory.idents.contains(name),
            "identifier {name:?} in the generated code"
        );
    }
    // The hostile text did reach the code: inside literals, byte for byte.
    for text in [
        r#"include_str!("/etc/passwd")"#,
        "std::process::exit(1)",
        "$(rm -rf /)",
        "'; DROP TABLE users; --",
        r#""); panic!(""#,
        "*/ /* #[ \"]",
        "/new\nline/{id}",
        "/control/cr\rlf\r\nnul\u{0}esc\u{1b}ls\u{2028}rlo\u{202e}end\u{202c}/{id}",
        "名前",
    ] {
        assert!(
            inventory.strings.iter().any(|s| s.contains(text)),
            "no string literal holds {text:?}"
        );
    }
}

#[test]
fn the_source_starts_with_one_generated_line() {
    let first = SOURCE.lines().next().unwrap_or_default();
    assert!(first.starts_with("// @generated"), "{first}");
    assert!(first.contains("the snapshot in hostile/"), "{first}");
}

/// A client for requests built for a closed loopback port, with a token to hide.
fn loopback() -> crate::commands::sample::Client {
    crate::commands::sample::Client {
        origin: url::Url::parse("http://127.0.0.1:1").expect("a valid URL"),
        gzip: true,
        auth: vec![("Authorization".to_string(), "Bearer secret".to_string())],
    }
}
