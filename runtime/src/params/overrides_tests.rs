//! The values file against the demo's generated operations: each form (fixed, list,
//! generator), pointer and name precedence, per-operation scoping, the order against
//! captured ids, type conversion, include/exclude, seed replay, and an error message,
//! naming its key, for each mistake.

use super::overrides::{self, Overrides};
use super::{BodyValue, OperationInfo, RequestParts, Values};
use crate::chain::Captured;
use crate::demo::OPERATIONS;
use crate::rng;
use serde_json::{json, Value};
use std::sync::Arc;

fn parse(text: &str) -> Overrides {
    Overrides::parse(text, "values.toml").unwrap_or_else(|e| panic!("{e}"))
}

fn values(text: &str, seed: u64) -> Values {
    Values::with_overrides(rng::from_seed(seed), Arc::new(parse(text)))
}

fn operation(key: &str) -> &'static OperationInfo {
    OPERATIONS
        .iter()
        .copied()
        .find(|info| format!("{} {}", info.method, info.path) == key)
        .unwrap_or_else(|| panic!("the demo has no {key}"))
}

/// One request of `key`, as a transaction draws it.
fn draw(values: &mut Values, key: &str) -> RequestParts {
    let info = operation(key);
    values.begin(info, None);
    (info.sample)(values)
}

fn query(parts: &RequestParts, name: &str) -> Vec<String> {
    parts
        .query
        .iter()
        .filter(|(n, _)| *n == name)
        .map(|(_, v)| v.clone())
        .collect()
}

fn body(parts: &RequestParts) -> Value {
    match &parts.body {
        BodyValue::Json(value) | BodyValue::Form(value) | BodyValue::Multipart(value, _) => {
            value.clone()
        }
        BodyValue::None => Value::Null,
    }
}

/// The error message of a file that must not parse.
fn error(text: &str) -> String {
    match Overrides::parse(text, "values.toml") {
        Ok(_) => panic!("parsed, but should not:\n{text}"),
        Err(e) => e.to_string(),
    }
}

const LIST_DOCUMENTS: &str = "GET /api/v1/documents/";
const LIST_TICKETS: &str = "GET /docman/tickets";
const CREATE_TICKET: &str = "POST /docman/tickets";
const CREATE_CONTACT: &str = "POST /docman/contacts";
const GET_TICKET: &str = "GET /docman/tickets/{ticket_id}";
const REPLACE_TICKET: &str = "PUT /docman/tickets/{ticket_id}";
const DELETE_TICKET: &str = "DELETE /docman/tickets/{ticket_id}";

#[test]
fn a_fixed_value_is_always_sent_even_for_an_optional_parameter() {
    let mut values = values("[values]\nlimit = 5\n", 1);
    for _ in 0..50 {
        let parts = draw(&mut values, LIST_DOCUMENTS);
        assert_eq!(query(&parts, "limit"), ["5"], "{parts:?}");
        // Parameters the file does not name are drawn as before: optional, so sometimes absent.
        assert!(query(&parts, "offset").len() <= 1);
    }
    let offsets: Vec<usize> = (0..50)
        .map(|_| query(&draw(&mut values, LIST_DOCUMENTS), "offset").len())
        .collect();
    assert!(offsets.contains(&0) && offsets.contains(&1), "{offsets:?}");
}

#[test]
fn a_list_is_drawn_from_uniformly_and_a_seed_replays_the_draws() {
    let file = "[values]\nstatus = [\"open\", \"closed\"]\n";
    let run = |seed| {
        let mut values = values(file, seed);
        (0..200)
            .map(|_| query(&draw(&mut values, LIST_TICKETS), "status").join(","))
            .collect::<Vec<_>>()
    };
    let drawn = run(7);
    let open = drawn.iter().filter(|s| *s == "open").count();
    let closed = drawn.iter().filter(|s| *s == "closed").count();
    assert_eq!(open + closed, 200, "only the listed values: {drawn:?}");
    assert!((60..=140).contains(&open), "about half each: {open} open");
    assert_eq!(run(7), drawn, "the same seed draws the same items");
    assert_ne!(run(8), drawn, "another seed draws others");
}

#[test]
fn named_generators_draw_fresh_values_within_their_range() {
    let file = "[values]\nemail = { generator = \"email\" }\n\
                limit = { generator = \"int\", min = 7, max = 9 }\n";
    let mut values = values(file, 2);
    let mut emails = Vec::new();
    for _ in 0..30 {
        let contact = body(&draw(&mut values, CREATE_CONTACT));
        let email = contact["email"].as_str().unwrap().to_string();
        assert!(email.ends_with("@example.com"), "{email}");
        emails.push(email);
        let limit = query(&draw(&mut values, LIST_TICKETS), "limit");
        let limit: i64 = limit[0].parse().unwrap();
        assert!((7..=9).contains(&limit), "{limit}");
    }
    emails.sort();
    emails.dedup();
    assert!(
        emails.len() > 10,
        "a generator, not the spec's example: {emails:?}"
    );
}

#[test]
fn a_pointer_beats_a_name_and_an_operation_table_beats_values() {
    let everywhere = "[values]\nlimit = 1\n\"/query/limit\" = 2\n";
    let mut values = values(everywhere, 3);
    assert_eq!(query(&draw(&mut values, LIST_TICKETS), "limit"), ["2"]);

    let named = format!("{everywhere}[operations.\"{LIST_DOCUMENTS}\"]\nlimit = 3\n");
    let mut values = self::values(&named, 3);
    assert_eq!(query(&draw(&mut values, LIST_DOCUMENTS), "limit"), ["3"]);
    assert_eq!(query(&draw(&mut values, LIST_TICKETS), "limit"), ["2"]);

    let pointed = format!("{named}\"/query/limit\" = 4\n");
    let mut values = self::values(&pointed, 3);
    assert_eq!(query(&draw(&mut values, LIST_DOCUMENTS), "limit"), ["4"]);
    // A pointer names one location: a query pointer does not touch a body property.
    let file = "[values]\n\"/query/name\" = \"nobody\"\n";
    let contact = body(&draw(&mut self::values(file, 3), CREATE_CONTACT));
    assert_ne!(contact["name"], "nobody");
}

#[test]
fn an_operation_table_sets_body_places_by_pointer_in_that_operation_only() {
    let file = format!(
        "[operations.\"{CREATE_TICKET}\"]\n\"/body/title\" = \"Load-test ticket\"\n\
         \"/body/tags\" = [[\"a\"], [\"b\", \"c\"]]\n\"/body/reporter/name\" = \"Ada\"\n"
    );
    let mut values = values(&file, 4);
    let mut tags = Vec::new();
    for _ in 0..40 {
        let ticket = body(&draw(&mut values, CREATE_TICKET));
        assert_eq!(ticket["title"], "Load-test ticket");
        assert_eq!(ticket["reporter"]["name"], "Ada");
        assert!(ticket["reporter"]["email"].is_string(), "{ticket}");
        tags.push(ticket["tags"].clone());
        let replaced = body(&draw(&mut values, REPLACE_TICKET));
        assert_ne!(replaced["title"], "Load-test ticket", "another operation");
    }
    assert!(tags
        .iter()
        .all(|t| *t == json!(["a"]) || *t == json!(["b", "c"])));
    assert!(tags.contains(&json!(["a"])) && tags.contains(&json!(["b", "c"])));
}

#[test]
fn a_whole_body_and_a_fixed_array_are_sent_as_written() {
    let file = format!(
        "[values]\ntags = {{ value = [\"x\", \"y\"] }}\n\
         [operations.\"{CREATE_CONTACT}\"]\n\"/body\" = {{ value = {{ name = \"A\", email = \"a@example.org\" }} }}\n"
    );
    let mut values = values(&file, 5);
    assert_eq!(
        body(&draw(&mut values, CREATE_CONTACT)),
        json!({"name": "A", "email": "a@example.org"})
    );
    for _ in 0..10 {
        assert_eq!(
            body(&draw(&mut values, CREATE_TICKET))["tags"],
            json!(["x", "y"])
        );
    }
}

#[test]
fn a_name_sets_body_properties_at_any_depth_and_makes_optional_ones_present() {
    let file = "[values]\nemail = \"fixed@example.org\"\ndescription = \"From the values file\"\n";
    let mut values = values(file, 6);
    for _ in 0..30 {
        let ticket = body(&draw(&mut values, CREATE_TICKET));
        // Nested, and over the spec's example (`ada@example.com`).
        assert_eq!(ticket["reporter"]["email"], "fixed@example.org", "{ticket}");
        // Optional, so present only half the time without the override.
        assert_eq!(ticket["description"], "From the values file");
        assert_eq!(
            body(&draw(&mut values, CREATE_CONTACT))["email"],
            "fixed@example.org"
        );
    }
}

#[test]
fn an_override_beats_a_captured_id_which_beats_the_example() {
    let captured = |id: &str| Captured {
        id: json!(id),
        record: json!({}),
        context: Vec::new(),
    };
    let mut plain = values("", 7);
    plain.pool.add("ticket", captured("captured-1"));
    assert_eq!(
        draw(&mut plain, GET_TICKET).path,
        "/docman/tickets/captured-1"
    );

    let mut given = values(
        "[values]\nticket_id = \"given\"\ncontact_id = \"mine\"\n",
        7,
    );
    given.pool.add("ticket", captured("captured-1"));
    given.pool.add("contact", captured("captured-contact"));
    assert_eq!(draw(&mut given, GET_TICKET).path, "/docman/tickets/given");
    for _ in 0..20 {
        // The body's `contact_id` is chained to created contacts, and optional.
        assert_eq!(body(&draw(&mut given, CREATE_TICKET))["contact_id"], "mine");
    }
    // An overridden DELETE takes nothing out of the pool.
    draw(&mut given, DELETE_TICKET);
    assert!(given.taken.is_none());
    assert!(!given.pool.is_empty("ticket"));
}

#[test]
fn cleanup_deletes_the_pinned_id_whatever_the_file_says() {
    let mut values = values("[values]\nticket_id = \"given\"\n", 8);
    let info = operation(DELETE_TICKET);
    values.begin(
        info,
        Some((
            "ticket",
            Captured {
                id: json!("created-by-the-run"),
                ..Captured::default()
            },
        )),
    );
    assert_eq!(
        (info.sample)(&mut values).path,
        "/docman/tickets/created-by-the-run"
    );
}

#[test]
fn values_of_another_json_type_are_sent_the_way_a_person_means_them() {
    let file = "[values]\nlimit = \"5\"\noffset = 2.0\nticket_id = 42\n\
                session_id = { value = [\"a\", \"b\"] }\nstatus = { value = [\"open\", \"closed\"] }\n";
    let mut values = values(file, 9);
    let documents = draw(&mut values, LIST_DOCUMENTS);
    assert_eq!(query(&documents, "limit"), ["5"]);
    assert_eq!(query(&documents, "offset"), ["2"]);
    assert_eq!(
        query(&documents, "session_id"),
        ["a,b"],
        "text joins an array"
    );
    assert_eq!(draw(&mut values, GET_TICKET).path, "/docman/tickets/42");
    let tickets = draw(&mut values, LIST_TICKETS);
    assert_eq!(
        query(&tickets, "status"),
        ["open", "closed"],
        "repeated pairs"
    );
}

#[test]
fn check_refuses_values_a_parameter_cannot_take_and_unknown_operations() {
    let demo = OPERATIONS;
    let good = format!(
        "[values]\nlimit = [\"5\", 6]\nemail = 3\n[operations.\"{CREATE_TICKET}\"]\ntitle = \"x\"\n\
         [run]\ninclude = [\"GET /docman/*\"]\n"
    );
    parse(&good).check(demo).unwrap();

    let err = parse("[values]\nlimit = [5, \"many\"]\n")
        .check(demo)
        .unwrap_err()
        .to_string();
    assert!(err.contains("values.limit"), "{err}");
    assert!(
        err.contains("\"many\"") && err.contains("an integer"),
        "{err}"
    );
    assert!(err.contains("query parameter `limit`"), "{err}");

    let err = parse("[values]\nlimit = { generator = \"email\" }\n")
        .check(demo)
        .unwrap_err()
        .to_string();
    assert!(err.contains("values.limit"), "{err}");

    let err = parse("[operations.\"POST /docman/ticket\"]\ntitle = \"x\"\n")
        .check(demo)
        .unwrap_err()
        .to_string();
    assert!(err.contains("operations.\"POST /docman/ticket\""), "{err}");
    assert!(err.contains("discover"), "{err}");

    let err = parse("[run]\ninclude = [\"GET /docmen/*\"]\n")
        .check(demo)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("run.include") && err.contains("GET /docmen/*"),
        "{err}"
    );
}

#[test]
fn include_and_exclude_choose_the_generated_transactions_that_run() {
    let file = parse("[run]\ninclude = [\"GET /docman/*\"]\nexclude = [\"* /docman/health\"]\n");
    assert!(file.allows("GET /docman/tickets"));
    assert!(!file.allows("GET /docman/health"));
    assert!(!file.allows("POST /docman/tickets"));
    assert!(!file.allows("GET /health"));
    assert!(parse("").allows("DELETE /anything"));
    let file = parse("[run]\nexclude = [\"DELETE *\"]\n");
    assert!(!file.allows("DELETE /docman/tickets/{ticket_id}"));
    assert!(file.allows("GET /docman/tickets/{ticket_id}"));

    let file = parse("[run]\ninclude = [\"GET /docman/*\"]\nexclude = [\"* /docman/health\"]\n");
    let docman = crate::demo::scenarios()
        .unwrap()
        .into_iter()
        .find(|s| &*s.name == "Generated docman")
        .unwrap();
    let kept = overrides::retain_allowed(docman, &file);
    let names: Vec<&str> = kept
        .transactions
        .iter()
        .map(|t| t.name.name_for_transaction())
        .collect();
    assert_eq!(
        names,
        [
            "GET /docman/ping",
            "GET /docman/tickets",
            "GET /docman/tickets/{ticket_id}",
            "GET /docman/contacts/{id}",
            "cleanup"
        ]
    );
    let indices: Vec<usize> = kept
        .transactions
        .iter()
        .map(|t| t.transactions_index)
        .collect();
    assert_eq!(
        indices,
        [0, 1, 2, 3, 4],
        "Goose indexes transactions by position"
    );
}

#[test]
fn install_is_once_and_values_pick_it_up() {
    // Process-wide: a file with a [run] section only changes no value any other test draws.
    let first = parse("[run]\nexclude = [\"GET /install-test-only\"]\n");
    assert!(first.is_empty());
    assert!(overrides::install(first));
    assert!(!overrides::install(Overrides::default()), "the first stays");
    assert!(!overrides::installed().allows("GET /install-test-only"));
}

#[test]
fn every_mistake_names_its_key_and_what_to_do() {
    let cases: &[(&str, &[&str])] = &[
        (
            "[valeus]\nx = 1\n",
            &["valeus", "unknown section", "[values]"],
        ),
        ("values = 3\n", &["values", "must be a table"]),
        (
            "[run]\ninclde = [\"GET /*\"]\n",
            &["run.inclde", "`include` and `exclude`"],
        ),
        ("[run]\ninclude = \"GET /*\"\n", &["run.include", "list"]),
        (
            "[values]\nemail = { generator = \"emial\" }\n",
            &[
                "values.email",
                "\"emial\"",
                "email, uuid",
                "int, number, bool",
            ],
        ),
        (
            "[values]\nemail = { generator = 3 }\n",
            &["values.email", "in quotes"],
        ),
        (
            "[values]\nx = { generatr = \"email\" }\n",
            &["values.x", "`generatr`", "{ value = { ... } }"],
        ),
        (
            "[values]\nx = { value = 1, generator = \"int\" }\n",
            &["values.x", "not both"],
        ),
        (
            "[values]\nx = { value = 1, min = 3 }\n",
            &["values.x", "`min`"],
        ),
        ("[values]\nx = { }\n", &["values.x", "`value = ...`"]),
        (
            "[values]\nx = { generator = \"int\", min = 9, max = 1 }\n",
            &["values.x", "min 9 is above max 1"],
        ),
        (
            "[values]\nx = { generator = \"int\", min = 1.5 }\n",
            &["values.x", "integer"],
        ),
        (
            "[values]\nx = { generator = \"email\", max = 3 }\n",
            &["values.x", "\"email\""],
        ),
        (
            "[values]\nx = []\n",
            &["values.x", "empty list", "{ value = [] }"],
        ),
        ("[values]\nx = nan\n", &["values.x", "finite"]),
        ("[values]\n\"\" = 1\n", &["values.\"\"", "empty key"]),
        (
            "[values]\n\"/qeury/limit\" = 1\n",
            &["values.\"/qeury/limit\"", "/qeury/limit", "/query/"],
        ),
        (
            "[values]\n\"/query/a/b\" = 1\n",
            &["values.\"/query/a/b\"", "/query/NAME"],
        ),
        (
            "[values]\n\"/query/\" = 1\n",
            &["values.\"/query/\"", "/query/NAME"],
        ),
        (
            "[values]\n\"/query/a~2\" = 1\n",
            &["values.\"/query/a~2\"", "malformed", "~"],
        ),
        (
            "[values]\n\"/body/title\" = 1\n",
            &["values.\"/body/title\"", "[operations.\"METHOD /path\"]"],
        ),
        (
            "[operations.\"FETCH /docman\"]\nx = 1\n",
            &["operations.\"FETCH /docman\"", "\"METHOD /path\""],
        ),
        (
            "[operations]\n\"GET /x\" = 1\n",
            &["operations.\"GET /x\"", "must be a table"],
        ),
        (
            "[operations.\"GET /x\"]\nx = 1\n[operations.\"get /x\"]\ny = 2\n",
            &["operations.\"get /x\"", "GET /x", "again"],
        ),
        (
            "[operations.\"GET /x\"]\n\"/cookie/a\" = { value = 1, max = 2 }\n",
            &["operations.\"GET /x\".\"/cookie/a\"", "`max`"],
        ),
        ("[values]\nx = \n", &["values.toml", "line 2"]),
    ];
    for (text, needles) in cases {
        let message = error(text);
        assert!(message.contains("values.toml"), "names the file: {message}");
        for needle in *needles {
            assert!(
                message.contains(needle),
                "{needle:?} is not in {message:?}\nfor\n{text}"
            );
        }
    }
    let missing = Overrides::load(std::path::Path::new("/nonexistent/values.toml"))
        .unwrap_err()
        .to_string();
    assert!(
        missing.contains("/nonexistent/values.toml") && missing.contains("--values"),
        "{missing}"
    );
}

#[test]
fn pointers_unescape_and_headers_match_any_case() {
    let file = parse("[values]\n\"/header/X-Tenant\" = \"t1\"\n\"/query/a~1b~0c\" = 1\n");
    let every = &file;
    assert!(every
        .param_rule(None, super::Location::Header, "x-tenant")
        .is_some());
    assert!(every
        .param_rule(None, super::Location::Query, "a/b~c")
        .is_some());
    assert!(every
        .param_rule(None, super::Location::Query, "x-tenant")
        .is_none());
}

#[test]
fn the_example_file_fits_the_demo_gateway() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../values.example.toml");
    let file = Overrides::load(&path).unwrap_or_else(|e| panic!("{e}"));
    file.check(OPERATIONS).unwrap_or_else(|e| panic!("{e}"));
    assert!(!file.allows("GET /docman/ping") && file.allows("GET /docman/tickets"));
    let mut values = Values::with_overrides(rng::from_seed(1), Arc::new(file));
    let ticket = body(&draw(&mut values, CREATE_TICKET));
    assert_eq!(ticket["title"], "Load-test ticket");
    assert_eq!(ticket["priority"], "high");
    assert_eq!(query(&draw(&mut values, LIST_TICKETS), "limit"), ["5"]);
}
