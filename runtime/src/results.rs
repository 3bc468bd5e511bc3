//! The per-run results folder: `results/<timestamp>-<profile>/`, created before any load
//! starts and never reused.

use std::path::{Path, PathBuf};

/// Why the run's folder could not be made.
#[derive(Debug, thiserror::Error)]
#[error("create results folder {path}: {source}; pass --results-dir with a writable folder")]
pub struct ResultsError {
    path: String,
    source: std::io::Error,
}

/// Creates a new folder for this run under `root`, named by the start time and the
/// profile; when a folder of that name exists, `-2`, `-3`, ... is appended.
pub fn create_run_folder(root: &Path, profile: &str) -> Result<PathBuf, ResultsError> {
    let stamp = chrono::Local::now().format("%Y%m%d-%H%M%S");
    let base = format!("{stamp}-{profile}");
    let err = |path: &Path, source| ResultsError {
        path: path.display().to_string(),
        source,
    };
    std::fs::create_dir_all(root).map_err(|e| err(root, e))?;
    let mut attempt = 1;
    loop {
        let name = match attempt {
            1 => base.clone(),
            n => format!("{base}-{n}"),
        };
        attempt += 1;
        let path = root.join(name);
        // create_dir (not _all) fails on an existing folder, so two runs never share one.
        match std::fs::create_dir(&path) {
            Ok(()) => return Ok(path),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(err(&path, e)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_runs_in_the_same_second_get_two_folders() {
        let root = std::env::temp_dir().join(format!("glt-results-{}", std::process::id()));
        let first = create_run_folder(&root, "light").unwrap();
        let second = create_run_folder(&root, "light").unwrap();
        assert_ne!(first, second);
        assert!(first.is_dir() && second.is_dir());
        assert!(first
            .file_name()
            .unwrap()
            .to_string_lossy()
            .ends_with("-light"));
        std::fs::remove_dir_all(&root).unwrap();
    }

    #[test]
    fn an_unwritable_root_is_an_error_naming_it() {
        let file = std::env::temp_dir().join(format!("glt-not-a-dir-{}", std::process::id()));
        std::fs::write(&file, b"x").unwrap();
        let err = create_run_folder(&file, "light").unwrap_err().to_string();
        assert!(err.contains(&file.display().to_string()), "{err}");
        std::fs::remove_file(&file).unwrap();
    }
}
