//! A fixed sample of fuzz cases (`src/spec/fuzz/`, the first tame seeds the pipeline
//! accepts): build.rs generates the code of each by the same pipeline as the real
//! transactions and `OUT_DIR/fuzz_sample.rs` includes each in a module of its own, so the
//! sample compiling at all is the first test. It proves for these cases what the property run (`fuzz_tests.rs`) can only
//! approximate with syn: every spec the pipeline accepts yields code that compiles. The
//! tests here then run what compiled.

use super::hostile_tests::Inventory;
use crate::params::Values;
use std::collections::BTreeSet;
use syn::visit::Visit;

// As for the hostile fixture: setters nothing calls are fine, and clippy's style lints
// on generated code show on `crate::generated` already.
#[allow(dead_code, clippy::all)]
mod sample {
    include!(concat!(env!("OUT_DIR"), "/fuzz_sample.rs"));
}

#[test]
fn fuzz_sample_compiles_enough_cases_and_operations() {
    let operations: usize = sample::CASES.iter().map(|c| c.operations.len()).sum();
    assert!(sample::CASES.len() >= 20, "{} cases", sample::CASES.len());
    assert!(operations >= 50, "{operations} operations");
    let seeds: BTreeSet<u64> = sample::CASES.iter().map(|c| c.seed).collect();
    assert_eq!(seeds.len(), sample::CASES.len(), "a seed is compiled twice");
}

#[test]
fn fuzz_sample_scenarios_register_every_operation() {
    for case in sample::CASES {
        let scenarios = (case.scenarios)()
            .unwrap_or_else(|e| panic!("seed {}: the scenarios build: {e}", case.seed));
        // One transaction per operation, and one cleanup per app.
        let transactions: usize = scenarios
            .iter()
            .map(|s| s.transactions.len().saturating_sub(1))
            .sum();
        assert_eq!(transactions, case.operations.len(), "seed {}", case.seed);
    }
}

#[test]
fn fuzz_sample_operations_sample_requests_for_their_templates() {
    for seed in 1..=3 {
        for case in sample::CASES {
            for op in case.operations {
                let parts = (op.sample)(&mut Values::new(crate::rng::from_seed(seed)));
                let context = format!(
                    "case {}: {} {:?} (seed {seed})",
                    case.seed, op.method, op.path
                );
                assert_eq!(parts.template, op.path, "{context}");
                let method = format!("{:?}", parts.method).to_ascii_uppercase();
                assert_eq!(method, op.method, "{context}");
                // The request builds as the transaction builds it.
                let text = crate::commands::sample::requests(op, 1, seed, &loopback())
                    .unwrap_or_else(|e| panic!("{context}: {e}"));
                assert!(
                    text.starts_with(&format!("{} http://127.0.0.1:1/", op.method)),
                    "{context}: {text}"
                );
                assert!(!text.contains("secret"), "{context}: {text}");
            }
        }
    }
}

#[test]
fn fuzz_sample_spec_text_appears_only_inside_string_literals() {
    for case in sample::CASES {
        let file = syn::parse_file(case.source).expect("the generated source parses");
        let mut inventory = Inventory::default();
        inventory.visit_file(&file);
        assert_eq!(
            inventory.macros,
            BTreeSet::from(["vec".to_string()]),
            "macro calls in the code of case {}",
            case.seed
        );
        assert_eq!(
            inventory.attributes,
            BTreeSet::from(["derive".to_string(), "doc".to_string()]),
            "attributes in the code of case {}",
            case.seed
        );
        let first = case.source.lines().next().unwrap_or_default();
        assert!(first.starts_with("// @generated"), "{first}");
        for op in case.operations {
            assert!(
                inventory.strings.iter().any(|s| s == op.path),
                "case {}: no literal holds {:?}",
                case.seed,
                op.path
            );
        }
    }
}

/// A client for requests built for a closed loopback port, with a token to hide.
fn loopback() -> crate::commands::sample::Client {
    crate::commands::sample::Client {
        origin: url::Url::parse("http://127.0.0.1:1").expect("a valid URL"),
        gzip: true,
        auth: vec![("Authorization".to_string(), "Bearer secret".to_string())],
    }
}
