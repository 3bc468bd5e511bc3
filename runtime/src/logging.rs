//! The console log of a run: Goose logs one warning per failed request, which against a
//! dead or failing gateway is thousands of lines a second (12 MB in 5 s was measured),
//! flooding the terminal and costing the generator CPU it should spend on load. This
//! logger, installed before Goose's, keeps Goose's levels (`-v`, `-q`) and format but
//! prints at most [`LINES_PER_SECOND`] lines a second, then one line saying how many it
//! held back. With `--goose-log` it is not installed: Goose's own file logger runs.

use goose::config::GooseConfiguration;
use log::{Level, LevelFilter, Log, Metadata, Record};
use std::io::Write;
use std::sync::Mutex;
use std::time::Instant;

/// The most lines printed in one second.
pub const LINES_PER_SECOND: u32 = 20;

struct Limited {
    level: LevelFilter,
    window: Mutex<Window>,
}

struct Window {
    started: Instant,
    printed: u32,
    held: u64,
}

/// Installs the limited logger for a run configured by `config`, unless Goose is asked
/// to write its own log file (or a logger is already installed).
pub fn install(config: &GooseConfiguration) {
    if config.goose_log.is_some() {
        return;
    }
    let level = match (config.verbose, config.quiet) {
        (0, 0) => LevelFilter::Info,
        (0, _) => LevelFilter::Warn,
        (1, _) => LevelFilter::Debug,
        _ => LevelFilter::Trace,
    };
    let logger = Limited {
        level,
        window: Mutex::new(Window {
            started: Instant::now(),
            printed: 0,
            held: 0,
        }),
    };
    if log::set_boxed_logger(Box::new(logger)).is_ok() {
        log::set_max_level(level);
    }
}

impl Window {
    /// Whether a line may print now; a new second first reports what was held back.
    fn admit(&mut self, out: &mut impl Write) -> bool {
        if self.started.elapsed().as_secs() >= 1 {
            if self.held > 0 {
                let _ = writeln!(
                    out,
                    "{} [WARN] ... {} more log lines held back in the last second (at most {LINES_PER_SECOND} a second are shown; failures are counted in the reports)",
                    chrono::Local::now().format("%H:%M:%S"),
                    self.held
                );
            }
            self.started = Instant::now();
            self.printed = 0;
            self.held = 0;
        }
        if self.printed < LINES_PER_SECOND {
            self.printed += 1;
            true
        } else {
            self.held += 1;
            false
        }
    }
}

impl Log for Limited {
    fn enabled(&self, metadata: &Metadata<'_>) -> bool {
        metadata.level() <= self.level
    }

    fn log(&self, record: &Record<'_>) {
        if !self.enabled(record.metadata()) {
            return;
        }
        // Goose says so when its own logger cannot be installed over this one.
        if record.level() == Level::Info
            && record
                .args()
                .to_string()
                .starts_with("failed to initialize CombinedLogger")
        {
            return;
        }
        let mut out = std::io::stdout().lock();
        let mut window = self.window.lock().unwrap_or_else(|p| p.into_inner());
        if window.admit(&mut out) {
            let level = match record.level() {
                Level::Error => "ERROR",
                Level::Warn => "WARN",
                Level::Info => "INFO",
                Level::Debug => "DEBUG",
                Level::Trace => "TRACE",
            };
            let _ = writeln!(
                out,
                "{} [{level}] {}",
                chrono::Local::now().format("%H:%M:%S"),
                record.args()
            );
        }
    }

    fn flush(&self) {
        let _ = std::io::stdout().flush();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_prints_at_most_the_limit_then_says_how_many_were_held() {
        let mut window = Window {
            started: Instant::now(),
            printed: 0,
            held: 0,
        };
        let mut out = Vec::new();
        let admitted = (0..LINES_PER_SECOND + 5)
            .filter(|_| window.admit(&mut out))
            .count();
        assert_eq!(admitted, LINES_PER_SECOND as usize);
        assert_eq!(window.held, 5);
        assert!(out.is_empty());
        window.started -= std::time::Duration::from_secs(1);
        assert!(window.admit(&mut out));
        let said = String::from_utf8(out).unwrap();
        assert!(said.contains("5 more log lines held back"), "{said}");
        assert_eq!(window.held, 0);
    }
}
