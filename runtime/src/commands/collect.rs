//! Carrying shard folders through a log: a shard on a cluster prints its files to stdout
//! between markers ([`print`]), `kubectl logs` gathers them into one file, and `merge`
//! given that file writes the folders back ([`extract`]). A `kubectl logs --prefix`
//! prefix before each line is taken off.

use std::collections::{BTreeMap, HashMap};
use std::io::Write;
use std::path::{Path, PathBuf};

/// The files a shard prints: all `merge` reads.
pub const FILES: [&str; 4] = ["shard.json", "report.json", "cleanup.json", "validity.json"];

const MARK: &str = "=== gateway-loadtest shard ";

/// Prints the shard folder's files between markers naming the shard and the file.
pub fn print(folder: &Path, shard: usize, count: usize) -> std::io::Result<()> {
    let mut out = std::io::stdout().lock();
    for name in FILES {
        let Ok(text) = std::fs::read_to_string(folder.join(name)) else {
            continue;
        };
        writeln!(out, "{MARK}{shard}/{count} file {name} begin ===")?;
        out.write_all(text.as_bytes())?;
        if !text.ends_with('\n') {
            writeln!(out)?;
        }
        writeln!(out, "{MARK}{shard}/{count} file {name} end ===")?;
    }
    out.flush()
}

/// Why a log holds no shard; the message fits after "failed to".
#[derive(Debug, thiserror::Error)]
pub enum CollectError {
    #[error("read {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error(
        "read shard folders from {path}: it holds no shard files between \
         `{MARK}K/N file NAME begin ===` markers; save every pod's log with kubectl logs"
    )]
    Empty { path: String },
    #[error("write {path}: {source}")]
    Write {
        path: String,
        source: std::io::Error,
    },
}

/// Writes each shard found in the log at `log` into `into/shard-K/`, and returns those
/// folders. A file cut short (no end marker) is left out.
pub fn extract(log: &Path, into: &Path) -> Result<Vec<PathBuf>, CollectError> {
    let text = std::fs::read_to_string(log).map_err(|source| CollectError::Read {
        path: log.display().to_string(),
        source,
    })?;
    // (shard, file) -> text
    let mut found: BTreeMap<(usize, String), String> = BTreeMap::new();
    // The file being read after each line prefix (one per pod with `--prefix`, so pods'
    // lines may interleave): shard, file, text so far.
    let mut open: HashMap<String, (usize, String, String)> = HashMap::new();
    for line in text.lines() {
        if let Some(at) = line.find(MARK) {
            let prefix = line[..at].to_string();
            let rest = &line[at + MARK.len()..];
            let words: Vec<&str> = rest.split_whitespace().collect();
            if let [k_n, "file", name, which, "==="] = words.as_slice() {
                // Only the files a shard prints: a name is never a path to write to.
                if !FILES.contains(name) {
                    continue;
                }
                let shard = k_n.split('/').next().and_then(|k| k.parse().ok());
                match (*which, shard, open.remove(&prefix)) {
                    ("begin", Some(k), _) => {
                        open.insert(prefix, (k, name.to_string(), String::new()));
                    }
                    ("end", Some(k), Some((open_k, file, body)))
                        if open_k == k && file == *name =>
                    {
                        found.insert((k, file), body);
                    }
                    _ => {}
                }
                continue;
            }
        }
        let prefix = match line.starts_with('[') {
            true => line.find("] ").map_or("", |end| &line[..end + 2]),
            false => "",
        };
        if let Some((_, _, body)) = open.get_mut(prefix) {
            body.push_str(&line[prefix.len()..]);
            body.push('\n');
        }
    }
    if found.is_empty() {
        return Err(CollectError::Empty {
            path: log.display().to_string(),
        });
    }
    let mut folders: Vec<PathBuf> = Vec::new();
    for ((shard, name), body) in found {
        let folder = into.join(format!("shard-{shard}"));
        let write_err = |source| CollectError::Write {
            path: folder.display().to_string(),
            source,
        };
        std::fs::create_dir_all(&folder).map_err(write_err)?;
        std::fs::write(folder.join(&name), body).map_err(|source| CollectError::Write {
            path: folder.join(&name).display().to_string(),
            source,
        })?;
        if !folders.contains(&folder) {
            folders.push(folder);
        }
    }
    Ok(folders)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_printed_between_markers_come_back_whole_even_with_kubectl_prefixes() {
        let dir = std::env::temp_dir().join(format!("glt-collect-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let report = "{\n  \"raw_metrics\": {}\n}\n";
        // Two pods' lines interleaved, as `kubectl logs --prefix` may print them.
        let log = format!(
            "goose says hello\n\
             [pod/a] {MARK}1/2 file report.json begin ===\n\
             [pod/a] {{\n\
             [pod/b] {MARK}0/2 file cleanup.json begin ===\n\
             [pod/a]   \"raw_metrics\": {{}}\n\
             [pod/b] {{}}\n\
             [pod/a] }}\n\
             [pod/b] {MARK}0/2 file cleanup.json end ===\n\
             [pod/a] {MARK}1/2 file report.json end ===\n\
             {MARK}0/2 file shard.json begin ===\ncut short\n"
        );
        std::fs::write(dir.join("all.log"), log).unwrap();
        let folders = extract(&dir.join("all.log"), &dir.join("out")).unwrap();
        assert_eq!(folders, [dir.join("out/shard-0"), dir.join("out/shard-1")]);
        assert_eq!(
            std::fs::read_to_string(dir.join("out/shard-0/cleanup.json")).unwrap(),
            "{}\n"
        );
        assert_eq!(
            std::fs::read_to_string(dir.join("out/shard-1/report.json")).unwrap(),
            report
        );
        std::fs::write(dir.join("none.log"), "nothing\n").unwrap();
        let err = extract(&dir.join("none.log"), &dir)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("none.log") && err.contains("kubectl logs"),
            "{err}"
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
