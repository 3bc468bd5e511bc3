//! The demo gateway's generated code against its golden file, `tests/golden/demo.generated.rs`:
//! a change to the generator shows up in review as a diff of the code it writes.
//! `UPDATE_GOLDEN=1 cargo test --release golden` accepts the new code.

use gateway_loadtest_runtime::codegen;
use gateway_loadtest_runtime::spec::{filter, plan, snapshot, source};
use std::path::Path;

/// The golden file, relative to the crate root.
const GOLDEN: &str = "tests/golden/demo.generated.rs";

/// The code build.rs generates from the committed snapshot in `generated/` (same source
/// label and spec hash), with no include or exclude patterns.
fn demo_code() -> String {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(source::SNAPSHOT_DIR);
    let discovery = snapshot::read(&dir).expect("read the committed snapshot in generated/");
    let plan = plan::build(&discovery, &filter::Filter::default()).expect("plan the demo gateway");
    let label = source::label(&source::Source::Snapshot { dir });
    let code = codegen::generate(&plan, &label, codegen::spec_hash(&discovery))
        .expect("generate the demo code");
    codegen::pretty(&code).expect("format the demo code")
}

#[test]
fn the_demo_snapshot_generates_the_golden_code() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(GOLDEN);
    let code = demo_code();
    if std::env::var_os("UPDATE_GOLDEN").is_some_and(|v| v == "1") {
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("create tests/golden/");
        }
        std::fs::write(&path, &code).expect("write the golden file");
        return;
    }
    // A missing golden file reads as empty: it differs at line 1.
    let golden = std::fs::read_to_string(&path).unwrap_or_default();
    if let Some(difference) = first_difference(&golden, &code) {
        panic!(
            "the generated code differs from {GOLDEN} at {difference}\nif the change is \
             intended, run `UPDATE_GOLDEN=1 cargo test --release golden` to accept it"
        );
    }
}

/// Where `generated` first departs from `golden`, or `None` when they are equal.
fn first_difference(golden: &str, generated: &str) -> Option<String> {
    if golden == generated {
        return None;
    }
    let (mut old, mut new) = (golden.lines(), generated.lines());
    let mut line = 1;
    loop {
        match (old.next(), new.next()) {
            (Some(a), Some(b)) if a == b => line += 1,
            (None, None) => return Some(format!("the end (line {line}): line endings differ")),
            (a, b) => {
                let shown = |text: Option<&str>| {
                    text.map_or("<end of file>".to_string(), |t| format!("{t:?}"))
                };
                return Some(format!(
                    "line {line}:\n  golden:    {}\n  generated: {}",
                    shown(a),
                    shown(b)
                ));
            }
        }
    }
}

#[test]
fn the_first_difference_names_its_line() {
    assert_eq!(first_difference("a\nb\n", "a\nb\n"), None);
    let difference = first_difference("a\nb\nc\n", "a\nx\nc\n").unwrap();
    assert!(difference.starts_with("line 2:"), "{difference}");
    assert!(
        difference.contains("\"b\"") && difference.contains("\"x\""),
        "{difference}"
    );
    let shorter = first_difference("a\n", "a\nb\n").unwrap();
    assert!(
        shorter.contains("line 2:") && shorter.contains("<end of file>"),
        "{shorter}"
    );
    assert!(first_difference("a\n", "a")
        .unwrap()
        .contains("line endings"));
}
