//! Which generated operations a run reached, and the mix it achieved beside the one
//! configured: `coverage.md` and `coverage.json`, and the lines the run prints last.
//! When a run ends before reaching every operation, it says how long a run, or how many
//! users, would reach them all.

use crate::deal::Deck;
use goose::metrics::GooseMetrics;
use serde::{Deserialize, Serialize};
use std::fmt::Write as _;
use std::path::Path;

/// One operation's share: configured (its weight's share of a pass) and achieved (its
/// share of the app's requests, which includes the creates and deletes a user sends to
/// have what another operation needs).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OperationShare {
    /// `METHOD /path`.
    pub name: String,
    pub weight: f64,
    /// Its cards' share of one pass (0.25 = 25%).
    pub configured: f64,
    /// How many times it was dealt.
    pub dealt: u64,
    /// Requests sent to it (dealt, and made to have what another operation needed).
    pub requests: u64,
    /// Its share of the app's requests.
    pub achieved: f64,
}

/// One app's coverage.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AppCoverage {
    /// The scenario, `Generated <app>`.
    pub scenario: String,
    /// Operations with a weight above 0.
    pub planned: usize,
    /// Those that got at least one request.
    pub reached: usize,
    /// Those that got none, by name.
    pub not_reached: Vec<String>,
    /// Operations the mix weighs 0: never dealt.
    pub weighed_zero: Vec<String>,
    /// Operations left out since they would change or end the run's own login or the
    /// server's configuration (`hazard`): `METHOD /path: reason`.
    #[serde(default)]
    pub hazards: Vec<String>,
    /// Creates of what no operation deletes: dealt once a run.
    #[serde(default)]
    pub once: Vec<String>,
    /// Cards in one pass over the app's deck.
    pub pass: usize,
    /// Cards dealt in the whole run.
    pub dealt: u64,
    /// Users that ran the app.
    pub users: usize,
    /// When some operation was not reached: the run time and the user count that would
    /// reach them all at the rate this run dealt.
    pub needs: Option<Needs>,
    pub operations: Vec<OperationShare>,
}

impl AppCoverage {
    /// Whether no user ran the app (it dealt nothing): the run had fewer users than
    /// scenarios. No run time would reach its operations.
    pub fn got_no_user(&self) -> bool {
        self.users == 0 && self.dealt == 0
    }
}

/// What would reach every operation of an app.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Needs {
    /// Seconds of load at this run's users.
    pub run_time_secs: u64,
    /// Users for this run's time.
    pub users: usize,
}

/// Every app's coverage.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Coverage {
    pub apps: Vec<AppCoverage>,
}

impl Coverage {
    /// The coverage of the run's `decks`, from its `metrics`.
    pub fn build(decks: &[std::sync::Arc<Deck>], metrics: &GooseMetrics) -> Coverage {
        let apps = decks
            .iter()
            .map(|deck| app_coverage(deck, metrics))
            .collect();
        Coverage { apps }
    }

    /// Operations reached, and planned, over every app.
    pub fn totals(&self) -> (usize, usize) {
        self.apps
            .iter()
            .fold((0, 0), |(r, p), app| (r + app.reached, p + app.planned))
    }

    /// `operations reached: 24/24`, then one warning per app that missed some.
    pub fn lines(&self) -> Vec<String> {
        let (reached, planned) = self.totals();
        if planned == 0 {
            return Vec::new();
        }
        let mut lines = vec![format!(
            "gateway-loadtest: operations reached: {reached}/{planned}"
        )];
        for app in self.apps.iter().filter(|app| !app.hazards.is_empty()) {
            lines.push(format!(
                "gateway-loadtest: {} left out {} operation(s) that would change or end the \
                 run's own login or the server's configuration (coverage.md names them and why)",
                app.scenario,
                app.hazards.len()
            ));
        }
        for app in &self.apps {
            if app.got_no_user() {
                lines.push(format!(
                    "gateway-loadtest: warning: {} got no user, so none of its {} operations \
                     was reached: Goose gives each scenario its users in turn; run with more \
                     users than scenarios, or choose fewer with --scenarios",
                    app.scenario, app.planned
                ));
                continue;
            }
            let Some(needs) = &app.needs else {
                if !app.not_reached.is_empty() {
                    lines.push(format!(
                        "gateway-loadtest: warning: {} reached {} of its {} operations; the \
                         others were dealt but not sent, since what they need could not be \
                         made (validity.md says why)",
                        app.scenario, app.reached, app.planned
                    ));
                }
                continue;
            };
            lines.push(format!(
                "gateway-loadtest: warning: {} reached {} of its {} operations; at this run's \
                 pace a run of about {} s with its {} user(s), or about {} users for this \
                 run's time, reaches them all (see coverage.md)",
                app.scenario, app.reached, app.planned, needs.run_time_secs, app.users, needs.users
            ));
        }
        lines
    }

    /// `coverage.md`: per app, reached and the configured and achieved mix.
    pub fn markdown(&self, title: &str) -> String {
        let mut out = format!("# Coverage and mix: {title}\n\n");
        let (reached, planned) = self.totals();
        let _ = writeln!(out, "Operations reached: {reached}/{planned}.\n");
        out.push_str(
            "Each app's operations are dealt to its users from one deck, in which each \
             operation appears as often as its weight in `[mix]` says. Configured is its \
             share of the deck; achieved is its share of the app's requests. A create or \
             delete a user sends to have what a dealt operation needs takes the place of \
             that operation's next card, so the two agree over a long run.\n",
        );
        for app in &self.apps {
            let _ = write!(
                out,
                "\n## {}\n\n{} of {} operations reached; {} cards dealt by {} user(s), {} \
                 per pass.\n",
                app.scenario, app.reached, app.planned, app.dealt, app.users, app.pass
            );
            if app.got_no_user() {
                let _ = writeln!(
                    out,
                    "\nNo user ran this app: run with more users than scenarios, or choose \
                     fewer with --scenarios."
                );
            } else if let Some(needs) = &app.needs {
                let _ = writeln!(
                    out,
                    "\nNot reached: {}. A run of about {} s with {} user(s), or about {} users \
                     for this run's time, reaches them all.",
                    app.not_reached.join(", "),
                    needs.run_time_secs,
                    app.users,
                    needs.users
                );
            }
            if !app.weighed_zero.is_empty() {
                let _ = writeln!(
                    out,
                    "\nWeighed 0 by `[mix]`, never dealt: {}.",
                    app.weighed_zero.join(", ")
                );
            }
            if !app.once.is_empty() {
                let _ = writeln!(
                    out,
                    "\nDealt once a run, since no operation of the app deletes what they make \
                     (each one stays on the gateway; cleanup.json names them): {}.",
                    app.once.join(", ")
                );
            }
            if !app.hazards.is_empty() {
                let _ = writeln!(
                    out,
                    "\nLeft out, since they would change or end the run's own login or the \
                     server's configuration (name one exactly in `[mix.operations]` to send \
                     it):\n"
                );
                for line in &app.hazards {
                    let _ = writeln!(out, "- {line}");
                }
            }
            out.push_str(
                "\n| Operation | Weight | Configured | Achieved | Dealt | Requests |\n\
                 |---|---:|---:|---:|---:|---:|\n",
            );
            for op in &app.operations {
                let _ = writeln!(
                    out,
                    "| `{}` | {} | {:.1}% | {:.1}% | {} | {} |",
                    op.name,
                    op.weight,
                    op.configured * 100.0,
                    op.achieved * 100.0,
                    op.dealt,
                    op.requests
                );
            }
        }
        out
    }

    /// Writes `coverage.md` and `coverage.json` into `dir`.
    pub fn write(&self, dir: &Path, title: &str) -> std::io::Result<()> {
        std::fs::write(dir.join("coverage.md"), self.markdown(title))?;
        let json = serde_json::to_vec_pretty(self).unwrap_or_default();
        std::fs::write(dir.join("coverage.json"), json)
    }
}

fn app_coverage(deck: &Deck, metrics: &GooseMetrics) -> AppCoverage {
    let requests_of = |name: &str| {
        metrics
            .requests
            .get(name)
            .map_or(0, |r| (r.success_count + r.fail_count) as u64)
    };
    let shares = deck.shares();
    let app_requests: u64 = shares
        .iter()
        .map(|(info, ..)| requests_of(&format!("{} {}", info.method, info.path)))
        .sum();
    let mut operations = Vec::with_capacity(shares.len());
    let (mut not_reached, mut weighed_zero, mut hazards) = (Vec::new(), Vec::new(), Vec::new());
    for (index, (info, weight, dealt, configured)) in shares.into_iter().enumerate() {
        let name = format!("{} {}", info.method, info.path);
        let requests = requests_of(&name);
        let why = deck.hazards.iter().find(|(i, _)| *i == index);
        if let Some((_, why)) = why {
            hazards.push(format!("{name}: {why}"));
        } else if weight <= 0.0 {
            weighed_zero.push(name.clone());
        } else if requests == 0 {
            not_reached.push(name.clone());
        }
        operations.push(OperationShare {
            achieved: requests as f64 / app_requests.max(1) as f64,
            name,
            weight,
            configured,
            dealt,
            requests,
        });
    }
    let planned = operations.len() - weighed_zero.len() - hazards.len();
    let users = metrics
        .scenarios
        .iter()
        .find(|s| *s.name == *deck.scenario)
        .map_or(0, |s| s.users.len());
    let dealt = deck.dealt_total();
    // Only operations never dealt say the run was too short: one dealt and not sent
    // needed a resource whose create failed.
    let undealt = operations
        .iter()
        .any(|op| op.weight > 0.0 && op.dealt == 0 && op.requests == 0);
    let needs = (undealt && dealt > 0).then(|| {
        // Cards dealt per second over the run; a whole pass from the first card.
        let secs = metrics.duration.max(1) as f64;
        let pass = deck.pass_len() as f64;
        let per_sec = (dealt as f64 / secs).max(f64::MIN_POSITIVE);
        Needs {
            run_time_secs: (pass / per_sec).ceil() as u64,
            users: ((users.max(1) as f64) * pass / (dealt.max(1) as f64)).ceil() as usize,
        }
    });
    AppCoverage {
        scenario: deck.scenario.clone(),
        planned,
        reached: planned - not_reached.len(),
        not_reached,
        weighed_zero,
        hazards,
        once: deck
            .once
            .iter()
            .filter_map(|&i| deck.operations.get(i))
            .map(|(info, _)| format!("{} {}", info.method, info.path))
            .collect(),
        pass: deck.pass_len(),
        dealt,
        users,
        needs,
        operations,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::deal::tests::app;
    use crate::report::stats::tests::request;
    use crate::spec::settings::MixSettings;
    use goose::goose::GooseMethod;

    #[test]
    fn what_was_not_reached_is_named_with_what_would_reach_it() {
        let mix = crate::spec::settings::parse("[mix]\nmethods = { PATCH = 0 }\n")
            .unwrap()
            .mix;
        let deck = Deck::new("Generated app", app(2), &mix, 5).unwrap();
        assert_eq!(deck.pass_len(), 10);
        // Half a pass dealt in 10 s: the creates, and the first three reads.
        let mut metrics = GooseMetrics::default();
        metrics.duration = 10;
        for _ in 0..5 {
            let info = deck.deal().unwrap();
            let method = match info.method {
                "POST" => GooseMethod::Post,
                _ => GooseMethod::Get,
            };
            let (key, aggregate) = request(method, info.path, &[5, 5], 0);
            metrics.requests.insert(key, aggregate);
        }
        let coverage = Coverage::build(&[std::sync::Arc::new(deck)], &metrics);
        let app = &coverage.apps[0];
        assert_eq!((app.reached, app.planned), (5, 10));
        assert_eq!(app.weighed_zero.len(), 2, "{:?}", app.weighed_zero);
        assert_eq!(app.not_reached.len(), 5);
        // 5 cards in 10 s: a pass of 10 takes 20 s, or twice the users.
        let needs = app.needs.as_ref().unwrap();
        assert_eq!((needs.run_time_secs, needs.users), (20, 2));
        let lines = coverage.lines();
        assert_eq!(lines[0], "gateway-loadtest: operations reached: 5/10");
        assert!(
            lines[1].contains("reached 5 of its 10 operations"),
            "{}",
            lines[1]
        );
        let posts: Vec<&OperationShare> = app
            .operations
            .iter()
            .filter(|o| o.name.starts_with("POST"))
            .collect();
        assert!(
            posts.iter().all(|o| (o.achieved - 0.2).abs() < 1e-9),
            "{posts:?}"
        );
        assert!(
            posts.iter().all(|o| (o.configured - 0.1).abs() < 1e-9),
            "{posts:?}"
        );
        let markdown = coverage.markdown("run");
        assert!(markdown.contains("Operations reached: 5/10."), "{markdown}");
        assert!(markdown.contains("Weighed 0 by `[mix]`"), "{markdown}");
    }

    #[test]
    fn operations_dealt_but_never_sent_are_not_blamed_on_the_run_time() {
        let deck = std::sync::Arc::new(
            Deck::new("Generated app", app(1), &MixSettings::default(), 5).unwrap(),
        );
        let mut metrics = GooseMetrics::default();
        metrics.duration = 10;
        // A whole pass dealt, only the first card sent.
        for at in 0..deck.pass_len() {
            let info = deck.deal().unwrap();
            if at == 0 {
                let (key, aggregate) = request(GooseMethod::Post, info.path, &[5], 0);
                metrics.requests.insert(key, aggregate);
            }
        }
        let coverage = Coverage::build(&[deck], &metrics);
        assert_eq!(coverage.apps[0].needs, None);
        let lines = coverage.lines();
        assert!(lines[1].contains("dealt but not sent"), "{lines:?}");
    }

    #[test]
    fn a_run_that_reached_everything_prints_one_line() {
        let deck = Deck::new("Generated app", app(1), &MixSettings::default(), 5).unwrap();
        let mut metrics = GooseMetrics::default();
        for _ in 0..deck.pass_len() {
            let info = deck.deal().unwrap();
            let (key, aggregate) = request(GooseMethod::Get, info.path, &[5], 0);
            metrics
                .requests
                .insert(key.replacen("GET", info.method, 1), aggregate);
        }
        let coverage = Coverage::build(&[std::sync::Arc::new(deck)], &metrics);
        assert_eq!(
            coverage.lines(),
            ["gateway-loadtest: operations reached: 6/6".to_string()]
        );
    }

    #[test]
    fn an_app_no_user_ran_says_so_instead_of_a_run_time() {
        let deck = Deck::new("Generated app", app(1), &MixSettings::default(), 5).unwrap();
        let coverage = Coverage::build(&[std::sync::Arc::new(deck)], &GooseMetrics::default());
        let app = &coverage.apps[0];
        assert!(app.got_no_user());
        assert_eq!(app.needs, None);
        let lines = coverage.lines();
        assert_eq!(lines[0], "gateway-loadtest: operations reached: 0/6");
        assert!(lines[1].contains("Generated app got no user"), "{lines:?}");
        assert!(coverage.markdown("run").contains("No user ran this app"));
    }
}
