//! The committed snapshot in `generated/`: writing, reading and comparing the gateway's
//! documents, like sqlx's offline `.sqlx/` data.
//!
//! `apps.json` indexes the apps (`[{name, title, prefix, openapi_path, file}]`); each app's
//! document is `<name>.openapi.json` beside it, exactly as served. Files are pretty JSON
//! with keys in document order, a trailing newline and no timestamps, so the same API
//! always gives the same bytes and a diff in review shows only what changed. Warnings
//! are not stored.
//!
//! Shared with `build.rs` through `#[path]`: std, serde, serde_json and thiserror only,
//! and nothing from `crate::`.

use std::collections::HashSet;
use std::fs;
use std::io::ErrorKind;
use std::path::{Path, PathBuf};

use serde_json::Value;

use super::discovery::{looks_like_openapi, DiscoveredApp, Discovery};

/// The index of the snapshot, inside its directory.
pub const INDEX_FILE: &str = "apps.json";
/// Every app's document file ends so; others in the directory are left alone.
const APP_FILE_SUFFIX: &str = ".openapi.json";
/// Changed JSON pointers listed per app by [`diff`] before "... and N more".
const MAX_CHANGES_SHOWN: usize = 20;
/// Longest rendering of a value in a [`diff`] line.
const MAX_VALUE_CHARS: usize = 60;
/// Operation keys of an OpenAPI path item.
const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// Why the snapshot cannot be read or written; messages fit after "failed to".
#[derive(Debug, thiserror::Error)]
pub enum SnapshotError {
    #[error(
        "read {}: it does not exist; run `cargo run --release -- snapshot` against a live \
         gateway to create it",
        .path.display()
    )]
    Missing { path: PathBuf },
    #[error("read {}: {reason}; check that the file is readable", .path.display())]
    Unreadable { path: PathBuf, reason: String },
    #[error(
        "read {}: {reason}; the snapshot is damaged: run `cargo run --release -- snapshot` \
         against a live gateway to rewrite it",
        .path.display()
    )]
    Damaged { path: PathBuf, reason: String },
    #[error("write {}: {reason}; check that the directory is writable", .path.display())]
    Write { path: PathBuf, reason: String },
    #[error("write the snapshot: {reason}; this is a bug in discovery, please report it")]
    BadApps { reason: String },
}

/// One line of `apps.json`; field order is file order.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
struct IndexEntry {
    name: String,
    title: String,
    prefix: String,
    openapi_path: String,
    file: String,
}

/// Writes dir/apps.json (an index: [{name, title, prefix, openapi_path, file}]) and
/// dir/<name>.openapi.json per app, pretty JSON (2-space), trailing newline, keys in
/// document order, no timestamps, so the same API gives the same bytes. Removes stale
/// *.openapi.json files of apps no longer present. Returns the paths written.
///
/// A file whose bytes would not change is not rewritten, so its mtime (which Cargo's
/// `rerun-if-changed` watches) moves only when the API does.
pub fn write(dir: &Path, discovery: &Discovery) -> Result<Vec<PathBuf>, SnapshotError> {
    let entries = index_entries(discovery)?;
    fs::create_dir_all(dir).map_err(|e| write_error(dir, &e))?;
    let mut written = vec![dir.join(INDEX_FILE)];
    for (entry, app) in entries.iter().zip(&discovery.apps) {
        let path = dir.join(&entry.file);
        write_if_changed(&path, &pretty(&app.document, &path)?)?;
        written.push(path);
    }
    // The index goes last: a reader never sees it name a file not yet written.
    write_if_changed(&written[0], &pretty(&entries, &written[0])?)?;
    remove_stale(dir, &entries)?;
    Ok(written)
}

/// Reads it back; errors name the file and say what to do.
pub fn read(dir: &Path) -> Result<Discovery, SnapshotError> {
    let apps = read_index(dir)?
        .into_iter()
        .map(|entry| {
            let path = dir.join(&entry.file);
            let document = read_json(&path)?;
            if !looks_like_openapi(&document) {
                return Err(damaged(&path, "it is not an OpenAPI document"));
            }
            Ok(DiscoveredApp {
                name: entry.name,
                title: entry.title,
                prefix: entry.prefix,
                openapi_path: entry.openapi_path,
                document,
            })
        })
        .collect::<Result<_, _>>()?;
    Ok(Discovery {
        apps,
        warnings: Vec::new(),
    })
}

/// The files read by `read` (index + each app file), so build.rs can print
/// rerun-if-changed for exactly them.
pub fn files(dir: &Path) -> Result<Vec<PathBuf>, SnapshotError> {
    let mut out = vec![dir.join(INDEX_FILE)];
    out.extend(read_index(dir)?.iter().map(|entry| dir.join(&entry.file)));
    Ok(out)
}

/// Compares committed vs live as JSON values; returns human-readable differences, empty
/// when equal: apps added/removed, prefix changes, and per app operations added/removed
/// ("GET /tickets/{ticket_id}/history added in docman") and other changed JSON pointers
/// (first 20, then "... and N more"). Apps are matched by name; warnings are ignored.
pub fn diff(committed: &Discovery, live: &Discovery) -> Vec<String> {
    let find = |apps: &[DiscoveredApp], name: &str| apps.iter().position(|a| a.name == name);
    let mut out = Vec::new();
    for app in &committed.apps {
        if find(&live.apps, &app.name).is_none() {
            out.push(format!(
                "app {} removed (was at {})",
                app.name,
                shown(&app.prefix)
            ));
        }
    }
    for app in &live.apps {
        if find(&committed.apps, &app.name).is_none() {
            out.push(format!(
                "app {} added (at {})",
                app.name,
                shown(&app.prefix)
            ));
        }
    }
    for old in &committed.apps {
        if let Some(at) = find(&live.apps, &old.name) {
            diff_app(old, &live.apps[at], &mut out);
        }
    }
    out
}

/// The index for a discovery; refuses names that are not safe, distinct file names.
fn index_entries(discovery: &Discovery) -> Result<Vec<IndexEntry>, SnapshotError> {
    let mut names = HashSet::new();
    let mut entries = Vec::new();
    for app in &discovery.apps {
        let file = format!("{}{APP_FILE_SUFFIX}", app.name);
        if !is_plain_file_name(&file) {
            let reason = format!("app name {:?} is not a plain file name", app.name);
            return Err(SnapshotError::BadApps { reason });
        }
        if !names.insert(app.name.clone()) {
            let reason = format!("two apps are named {:?}", app.name);
            return Err(SnapshotError::BadApps { reason });
        }
        entries.push(IndexEntry {
            name: app.name.clone(),
            title: app.title.clone(),
            prefix: app.prefix.clone(),
            openapi_path: app.openapi_path.clone(),
            file,
        });
    }
    Ok(entries)
}

/// `name.openapi.json` with only ASCII letters, digits, `-`, `_`, `.`; no leading dot.
fn is_plain_file_name(file: &str) -> bool {
    let stem = file.strip_suffix(APP_FILE_SUFFIX).unwrap_or("");
    !stem.is_empty()
        && !stem.starts_with('.')
        && stem
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

/// Pretty JSON with 2-space indent and a trailing newline.
fn pretty<T: serde::Serialize>(value: &T, path: &Path) -> Result<Vec<u8>, SnapshotError> {
    let mut bytes = serde_json::to_vec_pretty(value).map_err(|e| SnapshotError::Write {
        path: path.to_path_buf(),
        reason: e.to_string(),
    })?;
    bytes.push(b'\n');
    Ok(bytes)
}

/// Writes through a temporary file and a rename, so a file is never half-written.
fn write_if_changed(path: &Path, bytes: &[u8]) -> Result<(), SnapshotError> {
    if fs::read(path).is_ok_and(|old| old == bytes) {
        return Ok(());
    }
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy())
        .unwrap_or_default();
    let temporary = path.with_file_name(format!(".{name}.tmp"));
    fs::write(&temporary, bytes).map_err(|e| write_error(&temporary, &e))?;
    fs::rename(&temporary, path).map_err(|e| {
        let _ = fs::remove_file(&temporary);
        write_error(path, &e)
    })
}

/// Removes `*.openapi.json` files no entry names (apps that are gone).
fn remove_stale(dir: &Path, entries: &[IndexEntry]) -> Result<(), SnapshotError> {
    let keep: HashSet<&str> = entries.iter().map(|e| e.file.as_str()).collect();
    let listing = fs::read_dir(dir).map_err(|e| write_error(dir, &e))?;
    for item in listing.flatten() {
        let name = item.file_name();
        let Some(name) = name.to_str() else { continue };
        if name.ends_with(APP_FILE_SUFFIX) && !keep.contains(name) && item.path().is_file() {
            fs::remove_file(item.path()).map_err(|e| write_error(&item.path(), &e))?;
        }
    }
    Ok(())
}

fn read_index(dir: &Path) -> Result<Vec<IndexEntry>, SnapshotError> {
    let path = dir.join(INDEX_FILE);
    let entries: Vec<IndexEntry> = serde_json::from_value(read_json(&path)?)
        .map_err(|e| damaged(&path, &format!("it is not a list of apps ({e})")))?;
    // The index decides which files are read: only plain names inside `dir`.
    if let Some(bad) = entries.iter().find(|e| !is_plain_file_name(&e.file)) {
        let reason = format!(
            "app {:?} names the file {:?}, not a plain *{APP_FILE_SUFFIX}",
            bad.name, bad.file
        );
        return Err(damaged(&path, &reason));
    }
    Ok(entries)
}

fn read_json(path: &Path) -> Result<Value, SnapshotError> {
    let bytes = fs::read(path).map_err(|e| match e.kind() {
        ErrorKind::NotFound => SnapshotError::Missing {
            path: path.to_path_buf(),
        },
        _ => SnapshotError::Unreadable {
            path: path.to_path_buf(),
            reason: e.to_string(),
        },
    })?;
    serde_json::from_slice(&bytes).map_err(|e| damaged(path, &format!("it is not JSON ({e})")))
}

fn damaged(path: &Path, reason: &str) -> SnapshotError {
    SnapshotError::Damaged {
        path: path.to_path_buf(),
        reason: reason.to_string(),
    }
}

fn write_error(path: &Path, error: &std::io::Error) -> SnapshotError {
    SnapshotError::Write {
        path: path.to_path_buf(),
        reason: error.to_string(),
    }
}

fn shown(prefix: &str) -> &str {
    if prefix.is_empty() {
        "the root"
    } else {
        prefix
    }
}

/// One app present on both sides: its place, its operations, then any other change.
fn diff_app(old: &DiscoveredApp, new: &DiscoveredApp, out: &mut Vec<String>) {
    let name = &new.name;
    if old.prefix != new.prefix {
        out.push(format!(
            "prefix of {name} changed from {} to {}",
            shown(&old.prefix),
            shown(&new.prefix)
        ));
    }
    if old.openapi_path != new.openapi_path {
        let (from, to) = (&old.openapi_path, &new.openapi_path);
        out.push(format!("document of {name} moved from {from} to {to}"));
    }
    let (old_ops, new_ops) = (operations(&old.document), operations(&new.document));
    // Operations reported as added/removed are not reported again pointer by pointer.
    let mut reported = HashSet::new();
    for (ops, others, verb) in [
        (&new_ops, &old_ops, "added in"),
        (&old_ops, &new_ops, "removed from"),
    ] {
        for op in ops
            .iter()
            .filter(|op| !others.iter().any(|o| o.same_as(op)))
        {
            out.push(format!("{} {} {verb} {name}", op.method, op.path));
            reported.insert(op.pointer.clone());
        }
    }
    reported.extend(lone_paths(&old.document, &new.document));
    reported.extend(lone_paths(&new.document, &old.document));
    let mut changes = Vec::new();
    diff_values(
        &old.document,
        &new.document,
        String::new(),
        &reported,
        &mut changes,
    );
    let hidden = changes.len().saturating_sub(MAX_CHANGES_SHOWN);
    out.extend(
        changes
            .into_iter()
            .take(MAX_CHANGES_SHOWN)
            .map(|c| format!("{name}: {c}")),
    );
    if hidden > 0 {
        out.push(format!("... and {hidden} more changes in {name}"));
    }
}

/// One operation of a document, keyed by method and path (never by operationId).
struct Operation {
    method: String,
    path: String,
    pointer: String,
}

impl Operation {
    fn same_as(&self, other: &Operation) -> bool {
        self.method == other.method && self.path == other.path
    }
}

fn operations(document: &Value) -> Vec<Operation> {
    let Some(paths) = document.get("paths").and_then(Value::as_object) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (path, item) in paths {
        let Some(item) = item.as_object() else {
            continue;
        };
        for key in item
            .keys()
            .filter(|k| METHODS.contains(&k.to_ascii_lowercase().as_str()))
        {
            out.push(Operation {
                method: key.to_ascii_uppercase(),
                path: path.clone(),
                pointer: format!("/paths/{}/{}", escape(path), escape(key)),
            });
        }
    }
    out
}

/// Pointers of path items in `a` that `b` lacks: their operations are reported instead.
fn lone_paths(a: &Value, b: &Value) -> Vec<String> {
    let paths = |v: &Value| {
        v.get("paths")
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default()
    };
    let other = paths(b);
    paths(a)
        .keys()
        .filter(|p| !other.contains_key(*p))
        .map(|p| format!("/paths/{}", escape(p)))
        .collect()
}

/// Lists changed JSON pointers, in the old document's key order, then the new keys.
fn diff_values(a: &Value, b: &Value, at: String, skip: &HashSet<String>, out: &mut Vec<String>) {
    if skip.contains(&at) {
        return;
    }
    match (a, b) {
        (Value::Object(a), Value::Object(b)) => {
            for (key, old) in a {
                let child = format!("{at}/{}", escape(key));
                match b.get(key) {
                    Some(new) => diff_values(old, new, child, skip, out),
                    None if !skip.contains(&child) => out.push(format!("{child} removed")),
                    None => {}
                }
            }
            for key in b.keys().filter(|k| !a.contains_key(*k)) {
                let child = format!("{at}/{}", escape(key));
                if !skip.contains(&child) {
                    out.push(format!("{child} added"));
                }
            }
        }
        (Value::Array(a), Value::Array(b)) => {
            for (index, (old, new)) in a.iter().zip(b).enumerate() {
                diff_values(old, new, format!("{at}/{index}"), skip, out);
            }
            out.extend((b.len()..a.len()).map(|i| format!("{at}/{i} removed")));
            out.extend((a.len()..b.len()).map(|i| format!("{at}/{i} added")));
        }
        _ if a != b => {
            let place = if at.is_empty() {
                "the document"
            } else {
                at.as_str()
            };
            out.push(format!("{place} changed from {} to {}", short(a), short(b)));
        }
        _ => {}
    }
}

/// RFC 6901: `~` → `~0`, `/` → `~1`.
fn escape(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

/// Compact JSON, cut to a readable length.
fn short(value: &Value) -> String {
    let text = value.to_string();
    match text.char_indices().nth(MAX_VALUE_CHARS) {
        Some((cut, _)) => format!("{}...", &text[..cut]),
        None => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// A fresh directory under the system temp dir, removed on drop.
    struct TempDir(PathBuf);

    impl TempDir {
        fn new(tag: &str) -> Self {
            let name = format!("gateway-loadtest-snapshot-{}-{tag}", std::process::id());
            let path = std::env::temp_dir().join(name);
            let _ = fs::remove_dir_all(&path);
            fs::create_dir_all(&path).expect("create a temp dir");
            TempDir(path)
        }
    }

    impl Drop for TempDir {
        fn drop(&mut self) {
            let _ = fs::remove_dir_all(&self.0);
        }
    }

    fn app(name: &str, prefix: &str, paths: Value) -> DiscoveredApp {
        DiscoveredApp {
            name: name.to_string(),
            title: format!("{name} service"),
            prefix: prefix.to_string(),
            openapi_path: format!("{prefix}/openapi.json"),
            // Keys deliberately not in alphabetical order.
            document: json!({
                "openapi": "3.1.0", "info": {"title": name, "version": "1"}, "paths": paths
            }),
        }
    }

    fn sample() -> Discovery {
        let ok = json!({"responses": {"200": {"description": "ok"}}});
        Discovery {
            apps: vec![
                app("root", "", json!({"/health": {"get": ok}})),
                app(
                    "docman",
                    "/docman",
                    json!({
                        "/tickets": {"get": ok, "post": ok},
                        "/tickets/{ticket_id}": {"get": ok}
                    }),
                ),
            ],
            warnings: vec!["not stored".to_string()],
        }
    }

    #[test]
    fn write_then_read_gives_the_same_apps() {
        let dir = TempDir::new("round-trip");
        let written = write(&dir.0, &sample()).expect("write");
        let names: Vec<_> = written.iter().filter_map(|p| p.file_name()).collect();
        assert_eq!(
            names,
            ["apps.json", "root.openapi.json", "docman.openapi.json"]
        );
        let back = read(&dir.0).expect("read");
        assert_eq!(back.apps, sample().apps);
        assert!(back.warnings.is_empty());
        assert_eq!(files(&dir.0).expect("files"), written);
    }

    #[test]
    fn writing_twice_gives_identical_bytes_with_a_trailing_newline() {
        let (a, b) = (TempDir::new("bytes-a"), TempDir::new("bytes-b"));
        write(&a.0, &sample()).expect("write a");
        write(&b.0, &sample()).expect("write b");
        write(&b.0, &sample()).expect("write b again");
        for file in ["apps.json", "root.openapi.json", "docman.openapi.json"] {
            let (x, y) = (
                fs::read(a.0.join(file)).unwrap(),
                fs::read(b.0.join(file)).unwrap(),
            );
            assert_eq!(x, y, "{file}");
            assert!(x.ends_with(b"}\n") || x.ends_with(b"]\n"), "{file}");
            assert!(!x.ends_with(b"\n\n"), "{file}");
        }
        let index = fs::read_to_string(a.0.join(INDEX_FILE)).unwrap();
        assert!(
            index.starts_with("[\n  {\n    \"name\": \"root\",\n    \"title\""),
            "{index}"
        );
        assert!(
            index.contains("\"file\": \"docman.openapi.json\""),
            "{index}"
        );
    }

    #[test]
    fn document_key_order_is_kept() {
        let dir = TempDir::new("key-order");
        let mut discovery = sample();
        discovery.apps[0].document["zeta"] = json!({"b": 1, "a": 2});
        write(&dir.0, &discovery).expect("write");
        let text = fs::read_to_string(dir.0.join("root.openapi.json")).unwrap();
        let order = [
            "\"openapi\"",
            "\"info\"",
            "\"paths\"",
            "\"zeta\"",
            "\"b\"",
            "\"a\"",
        ];
        let at: Vec<usize> = order.iter().map(|k| text.find(k).expect(k)).collect();
        assert!(at.windows(2).all(|w| w[0] < w[1]), "{text}");
        let back = read(&dir.0).expect("read");
        let keys: Vec<&String> = back.apps[0].document.as_object().unwrap().keys().collect();
        assert_eq!(keys, ["openapi", "info", "paths", "zeta"]);
    }

    #[test]
    fn files_of_apps_that_are_gone_are_removed() {
        let dir = TempDir::new("stale");
        write(&dir.0, &sample()).expect("write");
        fs::write(dir.0.join("README.md"), "kept\n").unwrap();
        let mut fewer = sample();
        fewer.apps.truncate(1);
        write(&dir.0, &fewer).expect("write fewer");
        assert!(!dir.0.join("docman.openapi.json").exists());
        assert!(dir.0.join("README.md").exists());
        assert_eq!(read(&dir.0).expect("read").apps, fewer.apps);
    }

    #[test]
    fn reading_a_missing_snapshot_says_how_to_create_it() {
        let dir = TempDir::new("missing");
        let error = read(&dir.0.join("generated"))
            .expect_err("nothing there")
            .to_string();
        assert!(error.starts_with("read "), "{error}");
        assert!(
            error.contains("generated/apps.json: it does not exist"),
            "{error}"
        );
        assert!(
            error.contains("run `cargo run --release -- snapshot`"),
            "{error}"
        );
        assert!(files(&dir.0.join("generated")).is_err());
    }

    #[test]
    fn a_damaged_snapshot_is_a_clear_error() {
        let dir = TempDir::new("damaged");
        write(&dir.0, &sample()).expect("write");
        fs::write(dir.0.join("docman.openapi.json"), "{not json").unwrap();
        let error = read(&dir.0).expect_err("damaged").to_string();
        assert!(
            error.contains("docman.openapi.json: it is not JSON"),
            "{error}"
        );
        let escape = json!([{
            "name": "x", "title": "", "prefix": "", "openapi_path": "/", "file": "../x.openapi.json"
        }]);
        fs::write(dir.0.join(INDEX_FILE), escape.to_string()).unwrap();
        let error = read(&dir.0).expect_err("escaping index").to_string();
        assert!(error.contains("not a plain"), "{error}");
    }

    #[test]
    fn unsafe_or_duplicate_names_are_not_written() {
        let dir = TempDir::new("names");
        let mut bad = sample();
        bad.apps[1].name = "../up".to_string();
        assert!(write(&dir.0, &bad).is_err());
        bad.apps[1].name = "root".to_string();
        assert!(write(&dir.0, &bad).is_err());
    }

    #[test]
    fn diff_is_empty_for_equal_inputs() {
        let mut live = sample();
        live.warnings.clear(); // warnings do not count
        assert!(diff(&sample(), &live).is_empty());
    }

    #[test]
    fn diff_reports_added_operations_removed_apps_and_changed_pointers() {
        let committed = sample();
        let mut live = sample();
        let docman = &mut live.apps[1].document;
        docman["paths"]["/tickets/{ticket_id}/history"] = json!({"get": {"responses": {}}});
        docman["paths"]["/tickets"]
            .as_object_mut()
            .unwrap()
            .remove("post");
        docman["info"]["version"] = json!("2");
        live.apps[1].prefix = "/v2/docman".to_string();
        live.apps.remove(0);
        let lines = diff(&committed, &live);
        assert_eq!(
            lines,
            [
                "app root removed (was at the root)",
                "prefix of docman changed from /docman to /v2/docman",
                "GET /tickets/{ticket_id}/history added in docman",
                "POST /tickets removed from docman",
                "docman: /info/version changed from \"1\" to \"2\"",
            ]
        );
        assert_eq!(diff(&live, &committed)[0], "app root added (at the root)");
    }

    #[test]
    fn diff_lists_twenty_changes_then_a_count() {
        let committed = sample();
        let mut live = sample();
        for i in 0..25 {
            live.apps[0].document["info"][format!("x-{i}")] = json!(i);
        }
        let lines = diff(&committed, &live);
        assert_eq!(lines.len(), 21);
        assert_eq!(lines[0], "root: /info/x-0 added");
        assert_eq!(lines[20], "... and 5 more changes in root");
    }
}
