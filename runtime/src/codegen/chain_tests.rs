//! A description whose reference graph explodes when inlined (the fuzz generator's
//! chain: `n` shared schemas, each referring to the next several times) plans and
//! generates in size linear in `n`: each schema's text is in the code once, operations
//! refer to it, and at run time every reference to a schema is the one compiled shape.
//! Sizes are asserted, never times; `chain_sizes` prints both for a person.

use crate::params::{Kind, Schemas, Shape, Values};
use crate::spec::filter::Filter;
use crate::spec::fuzz::chain;
use crate::spec::model::Plan;
use crate::spec::plan;
use crate::spec::shared::node_count;
use std::time::Instant;

fn plan_of(n: usize, fanout: usize) -> Plan {
    plan::build(&chain::chain_discovery(n, fanout), &Filter::default()).expect("the chain plans")
}

/// Every JSON node the plan holds: the serialised plan and the response schemas.
fn plan_nodes(plan: &Plan) -> usize {
    let responses: usize = plan
        .apps
        .iter()
        .flat_map(|a| &a.operations)
        .filter_map(|op| op.response_schema.as_ref())
        .map(node_count)
        .sum();
    node_count(&serde_json::to_value(plan).expect("the plan serialises")) + responses
}

fn code_of(plan: &Plan) -> String {
    crate::codegen::generate(plan, "chain", 0).expect("the chain generates")
}

#[test]
fn an_exploding_chain_plans_and_generates_in_size_linear_in_its_length() {
    for fanout in [2, 4] {
        let (small, large) = (plan_of(32, fanout), plan_of(64, fanout));
        let (small_nodes, large_nodes) = (plan_nodes(&small), plan_nodes(&large));
        let (small_code, large_code) = (code_of(&small).len(), code_of(&large).len());
        // Twice the schemas and operations: about twice the size (header and module
        // boilerplate make it a little less), never fanout^depth times.
        for (what, a, b) in [
            ("plan nodes", small_nodes, large_nodes),
            ("code bytes", small_code, large_code),
        ] {
            let ratio = b as f64 / a as f64;
            assert!(
                (1.8..=2.1).contains(&ratio),
                "fanout {fanout}: {what} {a} for 32 links, {b} for 64 (ratio {ratio:.2})"
            );
        }
        // And small in absolute terms: a few hundred nodes and a few KB per link.
        assert!(large_nodes < 64 * 200, "{large_nodes} plan nodes");
        assert!(large_code < 64 * 4_000, "{large_code} code bytes");
    }
}

#[test]
fn each_schema_text_is_embedded_once_and_operations_refer_to_it() {
    let plan = plan_of(16, 3);
    let code = crate::codegen::pretty(&code_of(&plan)).expect("the code parses");
    assert_eq!(plan.apps[0].schemas.len(), 16);
    for index in 0..16 {
        let description = format!("Link {index} of the chain.");
        assert_eq!(code.matches(&description).count(), 1, "{description}");
    }
    assert_eq!(code.matches("static SCHEMAS").count(), 1);
    assert_eq!(code.matches("Fields::shared(").count(), 16);
    assert_eq!(code.matches("ResponseSchema::shared(").count(), 16);
}

/// The plan's shared schemas as a run-time table, as the generated code embeds it.
pub(super) fn table(app: &crate::spec::model::AppPlan) -> &'static Schemas {
    let entries: Vec<(&'static str, &'static str)> = app
        .schemas
        .iter()
        .map(|(name, schema)| {
            let name: &'static str = Box::leak(name.clone().into_boxed_str());
            let text: &'static str = Box::leak(schema.to_string().into_boxed_str());
            (name, text)
        })
        .collect();
    Box::leak(Box::new(Schemas::new(Box::leak(
        entries.into_boxed_slice(),
    ))))
}

#[test]
fn at_run_time_references_share_one_shape_and_values_stay_bounded() {
    let plan = plan_of(64, 4);
    let schemas = table(&plan.apps[0]);
    let ops = &plan.apps[0].operations;
    let first = Shape::from_json_text_in(
        &ops[0].body.as_ref().unwrap().schema.to_string(),
        Some(schemas),
    );
    let second = Shape::from_json_text_in(
        &ops[63].body.as_ref().unwrap().schema.to_string(),
        Some(schemas),
    );
    // Link0 is what op 0 sends and what Link63 refers to: one shape, by reference.
    let Kind::Object { properties, .. } = &second.resolved().kind else {
        panic!("{second:?}")
    };
    let next = properties.iter().find(|p| p.name == "next_0").unwrap();
    assert!(std::ptr::eq(next.shape.resolved(), first.resolved()));
    // Drawing follows the recursion only as deep as inlining did: small values.
    let mut values = Values::new(crate::rng::from_seed(5));
    for _ in 0..50 {
        let body = values.value(&first, "body");
        let nodes = node_count(&body);
        assert!(nodes < 20_000, "{nodes} nodes drawn");
        assert!(first.check(&body).is_ok(), "{body}");
    }
}

/// Prints plan and code sizes and times for chains of growing length and fan-out:
/// `cargo test --release --lib chain_sizes -- --ignored --nocapture`.
#[test]
#[ignore]
fn chain_sizes() {
    for fanout in [2usize, 3, 4] {
        for n in [8usize, 16, 32, 64] {
            let started = Instant::now();
            let plan = plan_of(n, fanout);
            let plan_time = started.elapsed();
            let started = Instant::now();
            let code = code_of(&plan);
            eprintln!(
                "fanout {fanout} n {n}: plan {} nodes in {plan_time:?}, code {} B in {:?}",
                plan_nodes(&plan),
                code.len(),
                started.elapsed()
            );
        }
    }
}
