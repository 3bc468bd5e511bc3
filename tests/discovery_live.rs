//! Live discovery against real FastAPI apps: a newcomer's own gateway whose mounted apps
//! nothing lists (found only when named, with a warning otherwise), and an app served
//! under a base path (`GATEWAY_URL=http://127.0.0.1:PORT/api`).

use crate::common::{binary, temp_dir, text, Gateway};
use gateway_loadtest_runtime::spec::discovery::{discover, Discovery};
use gateway_loadtest_runtime::spec::{filter, plan, settings::Settings, source};
use gateway_loadtest_runtime::target;
use std::collections::BTreeSet;
use std::time::Duration;

/// `(method, path)` of every planned operation, as `discover` lists them.
fn operations(discovery: &Discovery) -> BTreeSet<(String, String)> {
    let plan = plan::build(
        discovery,
        &filter::Filter::from_settings(&Settings::default()),
    )
    .expect("plan the documents");
    plan.apps
        .iter()
        .flat_map(|app| &app.operations)
        .map(|op| (op.method.as_str().to_string(), op.path.clone()))
        .collect()
}

fn pairs(list: &[(&str, &str)]) -> BTreeSet<(String, String)> {
    list.iter()
        .map(|(m, p)| (m.to_string(), p.to_string()))
        .collect()
}

/// The environment as build.rs reads it, from fixed pairs.
fn env<'a>(vars: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
    move |name| {
        vars.iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.to_string())
    }
}

/// The own gateway's mounted apps, every operation.
const OWN_MOUNTED: [(&str, &str); 9] = [
    ("POST", "/users/"),
    ("GET", "/users/"),
    ("GET", "/users/{user_id}"),
    ("PUT", "/users/{user_id}"),
    ("DELETE", "/users/{user_id}"),
    ("POST", "/catalog/products"),
    ("GET", "/catalog/products"),
    ("GET", "/catalog/products/{sku}"),
    ("DELETE", "/catalog/products/{sku}"),
];

#[test]
fn own_gateway_alone_finds_only_the_root_and_says_how_to_name_the_mounts() {
    let gateway = Gateway::own_gateway();
    // As build.rs calls it, with no prefixes configured.
    let config = source::discovery_config(&gateway.url, &Settings::default(), env(&[]));
    let found = discover(&config).expect("discover the own gateway");
    let prefixes: Vec<&str> = found.apps.iter().map(|a| a.prefix.as_str()).collect();
    assert_eq!(prefixes, [""], "{:?}", found.warnings);
    let warning = found
        .warnings
        .iter()
        .find(|w| w.starts_with("found only the root app"))
        .unwrap_or_else(|| panic!("no only-root warning: {:?}", found.warnings));
    assert!(
        warning.contains("GATEWAY_PREFIXES=/users,/catalog"),
        "{warning}"
    );
    assert!(warning.contains("[discovery]"), "{warning}");
    // Guessed probes that miss are quiet: the warning is the only one.
    assert_eq!(found.warnings.len(), 1, "{:?}", found.warnings);
    assert_eq!(operations(&found), pairs(&[("GET", "/health")]));
}

#[test]
fn own_gateway_with_gateway_prefixes_finds_every_mounted_operation() {
    let gateway = Gateway::own_gateway();
    let vars = [("GATEWAY_PREFIXES", "/users, /catalog/")];
    let config = source::discovery_config(&gateway.url, &Settings::default(), env(&vars));
    let found = discover(&config).expect("discover the own gateway");
    let apps: Vec<(&str, &str)> = found
        .apps
        .iter()
        .map(|a| (a.name.as_str(), a.prefix.as_str()))
        .collect();
    assert_eq!(
        apps,
        [("root", ""), ("catalog", "/catalog"), ("users", "/users")]
    );
    assert!(found.warnings.is_empty(), "{:?}", found.warnings);
    let mut expected = pairs(&OWN_MOUNTED);
    expected.insert(("GET".to_string(), "/health".to_string()));
    assert_eq!(operations(&found), expected);

    // The same from a configuration file's [discovery] prefixes, merged with the variable.
    let settings: Settings =
        gateway_loadtest_runtime::spec::settings::parse("[discovery]\nprefixes = [\"/catalog\"]\n")
            .expect("settings");
    let config = source::discovery_config(
        &gateway.url,
        &settings,
        env(&[("GATEWAY_PREFIXES", "/users")]),
    );
    assert_eq!(operations(&discover(&config).expect("discover")), expected);
}

#[test]
fn discover_command_names_the_mounts_from_gateway_prefixes_and_warns_without() {
    let gateway = Gateway::own_gateway();
    let results = temp_dir("discovery-live-own");
    let results_arg = results.to_str().expect("utf-8 temp dir");
    let named = binary()
        .args(["discover", "--results-dir", results_arg])
        .env("GATEWAY_URL", &gateway.url)
        .env("GATEWAY_PREFIXES", "/users,/catalog")
        .output()
        .expect("run discover");
    assert!(named.status.success(), "{}", text(&named));
    let report: serde_json::Value =
        serde_json::from_slice(&named.stdout).expect("discover prints JSON");
    let listed: BTreeSet<(String, String)> = report["apps"]
        .as_array()
        .expect("apps")
        .iter()
        .flat_map(|app| app["operations"].as_array().cloned().unwrap_or_default())
        .map(|op| {
            (
                op["method"].as_str().unwrap_or_default().to_string(),
                op["path"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect();
    for operation in pairs(&OWN_MOUNTED) {
        assert!(listed.contains(&operation), "{operation:?} in {listed:?}");
    }
    assert!(
        !text(&named).contains("found only the root app"),
        "{}",
        text(&named)
    );

    let alone = binary()
        .args(["discover", "--results-dir", results_arg])
        .env("GATEWAY_URL", &gateway.url)
        .output()
        .expect("run discover");
    assert!(alone.status.success(), "{}", text(&alone));
    let stderr = String::from_utf8_lossy(&alone.stderr);
    assert!(
        stderr.contains("warning: found only the root app") && stderr.contains("GATEWAY_PREFIXES"),
        "{stderr}"
    );
    let report: serde_json::Value = serde_json::from_slice(&alone.stdout).expect("JSON");
    assert!(
        report["warnings"]
            .to_string()
            .contains("found only the root app"),
        "{report}"
    );
}

/// The realistic app under `/api`, without auth.
fn realistic_under_api() -> (Gateway, String) {
    let gateway = Gateway::realistic(&["--root-path", "/api"], &[("REALISTIC_AUTH", "0")]);
    let url = format!("{}/api", gateway.url);
    (gateway, url)
}

#[test]
fn a_gateway_url_with_a_base_path_is_discovered_and_requested_under_it() {
    let (gateway, base_url) = realistic_under_api();
    for url in [base_url.clone(), format!("{base_url}/")] {
        let config = source::discovery_config(&url, &Settings::default(), env(&[]));
        let found = discover(&config).unwrap_or_else(|e| panic!("discover {url}: {e}"));
        assert_eq!(found.apps.len(), 1, "{:?}", found.warnings);
        let root = &found.apps[0];
        // servers[0].url is "/api", the base itself: not doubled.
        assert_eq!(root.prefix, "/api");
        assert_eq!(root.openapi_path, "/api/openapi.json");
        let ops = operations(&found);
        for expected in [
            ("GET", "/api/health"),
            ("POST", "/api/work_pools/"),
            ("GET", "/api/work_pools/{name}"),
            ("POST", "/api/project/{project}/secrets/get"),
        ] {
            let expected = (expected.0.to_string(), expected.1.to_string());
            assert!(ops.contains(&expected), "{expected:?} in {ops:?}");
        }
        assert!(
            ops.iter().all(|(_, path)| path.starts_with("/api/")),
            "{ops:?}"
        );
        assert!(
            !ops.iter().any(|(_, path)| path.starts_with("/api/api")),
            "{ops:?}"
        );
    }

    // The runtime sends a planned path to the host's origin: it lands on the app's routes.
    let host = target::validate(&base_url).expect("a host with a base path is valid");
    let client = reqwest::blocking::Client::new();
    for (path, status) in [
        ("/api/health", 200),
        ("/api/projects", 200),
        ("/health", 404),
    ] {
        let url = target::url_for(&host, path).expect("a plain path");
        assert_eq!(
            url.as_str(),
            format!("{}{path}", gateway.url),
            "origin + the planned path"
        );
        let answer = client.get(url).send().expect("GET");
        assert_eq!(answer.status().as_u16(), status, "{path}");
    }
    // The pre-flight check goes to the base URL and passes.
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    runtime
        .block_on(target::check_reachable(&base_url, Duration::from_secs(5)))
        .expect("reachable under /api");
}

#[test]
fn health_and_discover_commands_check_the_app_under_the_base_path() {
    let (_gateway, base_url) = realistic_under_api();
    let health = binary()
        .arg("health")
        .env("GATEWAY_URL", format!("{base_url}/"))
        .output()
        .expect("run health");
    let out = text(&health);
    let row = |name: &str| {
        out.lines()
            .find(|line| line.starts_with(name))
            .unwrap_or_else(|| panic!("no {name} row: {out}"))
            .to_string()
    };
    let root_health = row("root /health");
    assert!(
        root_health.contains("/api/health") && root_health.contains("200"),
        "{out}"
    );
    assert!(
        row("root openapi.json").contains("/api/openapi.json"),
        "{out}"
    );
    assert!(row("root openapi.json").contains("ok"), "{out}");
    assert!(row("root health").contains("skip"), "{out}");
    // The app does not document /gateway/status: a skip, named under the base.
    assert!(
        row("root /gateway/status").contains("/api/gateway/status"),
        "{out}"
    );
    assert!(row("root /gateway/status").contains("skip"), "{out}");
    assert!(health.status.success(), "{out}");

    let results = temp_dir("discovery-live-base");
    let discovered = binary()
        .args([
            "discover",
            "--results-dir",
            results.to_str().expect("utf-8"),
        ])
        .env("GATEWAY_URL", &base_url)
        .output()
        .expect("run discover");
    assert!(discovered.status.success(), "{}", text(&discovered));
    let report: serde_json::Value = serde_json::from_slice(&discovered.stdout).expect("JSON");
    assert_eq!(report["apps"][0]["prefix"], "/api", "{report}");
    let paths: Vec<&str> = report["apps"][0]["operations"]
        .as_array()
        .expect("operations")
        .iter()
        .filter_map(|op| op["path"].as_str())
        .collect();
    assert!(paths.contains(&"/api/work_pools/"), "{paths:?}");
    assert!(paths.iter().all(|p| p.starts_with("/api/")), "{paths:?}");
}

#[test]
fn sample_sends_generated_paths_to_the_origin_and_warns_about_another_base() {
    // The binary was generated from the demo snapshot (no base path): a host under /api
    // does not move its paths, and the tool says so.
    let sample = binary()
        .args(["sample", "GET /health"])
        .env("GATEWAY_URL", "http://user:s3cret@127.0.0.1:1/api")
        .output()
        .expect("run sample");
    let out = text(&sample);
    assert!(sample.status.success(), "{out}");
    // The URL's credentials travel as a Basic header, never shown.
    assert!(out.contains("GET http://127.0.0.1:1/health\n"), "{out}");
    assert!(out.contains("authorization: <not shown>"), "{out}");
    assert!(
        out.contains("warning: the gateway URL has base path /api"),
        "{out}"
    );
    assert!(!out.contains("s3cret"), "{out}");
}
