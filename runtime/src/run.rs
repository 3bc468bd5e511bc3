//! A load run: resolves the gateway and the profile, reads the gateway's OpenAPI documents
//! (which also checks it answers) and leaves out the scenarios and operations whose routes
//! it does not document, makes the run's folder, registers the scenarios with Goose and
//! executes the attack.

use crate::params::OperationInfo;
use crate::profile::{Profile, UnknownProfile};
use crate::spec::settings::Settings;
use crate::{chain, cleanup, progress, report, results, target, Compiled};
use goose::client::GooseClientBuilder;
use goose::config::GooseConfiguration;
use goose::prelude::*;
use std::path::PathBuf;
use std::time::Duration;

/// The process exit code of a run whose `--threshold` was crossed.
pub const EXIT_THRESHOLD_FAILED: u8 = 3;
/// The process exit code of a run stopped by Ctrl-C (SIGINT) or SIGTERM, as shells
/// report a process that SIGINT ended (128 + 2); its reports are still written.
pub const EXIT_INTERRUPTED: u8 = 130;

/// Goose's own request time-out when `--timeout` is not given.
const DEFAULT_REQUEST_TIMEOUT: Duration = Duration::from_secs(60);

/// Our options for a run; every Goose option sits beside them.
#[derive(Clone, Debug, clap::Args)]
pub struct RunOptions {
    /// Load shape: light (5 users, 60 s), medium (20, 120 s), heavy (50, 300 s),
    /// stress (100, 600 s), spike (200 users in 180 s), or a [profiles.NAME] of the
    /// configuration file; Goose flags override it
    #[arg(long, value_name = "NAME")]
    pub profile: Option<String>,
    /// Seed for every generated value, to replay a run's requests [default: random]
    #[arg(long, value_name = "N")]
    pub seed: Option<u64>,
    /// Folder that holds one folder per run
    #[arg(long, value_name = "DIR", default_value = "results")]
    pub results_dir: PathBuf,
    /// Drop the think time between a persona's transactions (measures top speed)
    #[arg(long)]
    pub no_wait: bool,
    /// Size in bytes of each in-memory file sent to a multipart upload field
    /// [default: [run] upload_bytes of the configuration file, else 1024]
    #[arg(long, value_name = "BYTES")]
    pub upload_bytes: Option<usize>,
    /// Seconds to wait for the gateway's first answer before giving up
    #[arg(long, value_name = "SECS", default_value_t = 5)]
    pub connect_timeout: u64,
    /// Skip the warm-up: the bounded pass over the input-free reads (GET lists, RPC
    /// filters) that learns what exists before the load starts
    #[arg(long)]
    pub no_warmup: bool,
    /// The configuration file's settings (profiles, grading bands, run defaults).
    #[arg(skip)]
    pub settings: Settings,
}

/// Why a run could not start or finish.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error(transparent)]
    Target(#[from] target::TargetError),
    #[error(transparent)]
    Profile(#[from] UnknownProfile),
    #[error(transparent)]
    Results(#[from] results::ResultsError),
    #[error("{}", goose_reason(.0))]
    Goose(#[from] GooseError),
    #[error(transparent)]
    Report(#[from] report::ReportError),
    #[error(transparent)]
    Shard(#[from] crate::shard::ShardError),
    #[error("run the load test: {0}")]
    Mix(#[from] crate::deal::MixError),
    #[error(transparent)]
    Auth(#[from] crate::auth::AuthError),
    #[error("write {path}: {source}")]
    Write {
        path: String,
        source: std::io::Error,
    },
    #[error(
        "run the load test: the gateway at {host} does not document the routes of {names}, \
         so nothing is left to run; select other scenarios (--scenarios-list prints the \
         names) or build the binary against this gateway (GATEWAY_URL={host} cargo build \
         --release)"
    )]
    NothingToRun { host: String, names: String },
}

/// Goose's own Display drops the option and detail; say which option and why.
fn goose_reason(error: &GooseError) -> String {
    match error {
        GooseError::InvalidOption {
            option,
            value,
            detail,
        } => format!("run the load test: option {option} {value:?}: {detail}"),
        GooseError::NoScenarios { detail } => {
            format!("run the load test: {detail} (--scenarios-list prints the names)")
        }
        GooseError::InvalidWeight { detail, .. } | GooseError::FeatureNotEnabled { detail, .. } => {
            format!("run the load test: {detail}")
        }
        other => format!("run the load test: {other}"),
    }
}

/// Think time between a generated scenario's transactions, in milliseconds.
const GENERATED_THINK_MS: (u64, u64) = (500, 2000);

/// The hand-written scenarios and the generated ones (one per app), paced unless
/// `--no-wait` was given; the bare Goose baseline only when `--scenarios` names it.
pub fn all_scenarios(
    compiled: &Compiled,
    options: &RunOptions,
    config: &GooseConfiguration,
) -> Result<Vec<Scenario>, GooseError> {
    let paced = !options.no_wait;
    let mut scenarios = (compiled.static_scenarios)(paced)?;
    let wants_bare = config.scenarios.as_ref().is_some_and(|selected| {
        selected
            .active
            .iter()
            .any(|name| name.to_ascii_lowercase().starts_with("bare"))
    });
    if wants_bare {
        scenarios.push((compiled.bare_scenario)()?);
    }
    let values = crate::params::overrides::installed();
    for scenario in (compiled.generated_scenarios)()? {
        let scenario = crate::params::overrides::retain_allowed(scenario, &values);
        // An app whose operations were all excluded would only take users.
        if scenario.transactions.iter().all(|t| t.on_stop) {
            continue;
        }
        scenarios.push(match paced {
            true => scenario.set_wait_time(
                Duration::from_millis(GENERATED_THINK_MS.0),
                Duration::from_millis(GENERATED_THINK_MS.1),
            )?,
            false => scenario,
        });
    }
    Ok(scenarios)
}

/// How a finished run went.
pub struct RunOutcome {
    pub metrics: GooseMetrics,
    pub folder: PathBuf,
    pub thresholds_failed: bool,
    /// Stopped by Ctrl-C or SIGTERM before its planned end.
    pub interrupted: bool,
    /// What the final sweep deleted and what it left behind.
    pub cleanup: cleanup::SweepReport,
    /// What the warm-up sent and learned.
    pub warmup: crate::warmup::Warmup,
    /// Which generated operations the run reached, and the mix it achieved.
    pub coverage: report::coverage::Coverage,
    /// How the users were paced (what the overall grade reads as throughput).
    pub pacing: report::Pacing,
}

/// The name of the run's profile in its folder name: the one given, `light` when nothing
/// shapes the load, else `custom`.
fn profile_name(profile: Option<&Profile>, config: &GooseConfiguration) -> String {
    match profile {
        Some(profile) => profile.name.clone(),
        None if crate::profile::gives_load_shape(config) || env_shape().is_some() => {
            "custom".to_string()
        }
        None => Profile::light().name,
    }
}

/// `BENCHMARK_USERS` and `BENCHMARK_DURATION` (seconds), as the original toolkit read them.
fn env_shape() -> Option<(Option<usize>, Option<usize>)> {
    let read = |name: &str| std::env::var(name).ok().and_then(|v| v.trim().parse().ok());
    let users = read("BENCHMARK_USERS");
    let duration = read("BENCHMARK_DURATION");
    (users.is_some() || duration.is_some()).then_some((users, duration))
}

/// `host` without a user name and password, and the headers every request carries:
/// `GATEWAY_TOKEN`'s bearer and `GATEWAY_HEADERS`, else the URL's credentials as Basic.
pub fn credentials(host: &str) -> (String, Vec<(String, String)>) {
    let (host, basic) = target::split_credentials(host);
    let mut auth = crate::spec::source::auth_headers(|name| std::env::var(name).ok());
    if !auth
        .iter()
        .any(|(name, _)| name.eq_ignore_ascii_case("authorization"))
    {
        auth.extend(basic);
    }
    (host, auth)
}

/// Whether the command line asks Goose only to print (`--list`, `--scenarios-list`,
/// `--version`): no folder, no load; `print_only` does it.
pub fn asks_only_to_print(config: &GooseConfiguration) -> bool {
    config.list || config.scenarios_list || config.version
}

/// Hands a print-only command line to Goose, which prints what was asked and ends the
/// process itself (Goose 0.19 calls `exit(0)` there); an `Ok` return means it did not.
pub async fn print_only(
    config: GooseConfiguration,
    scenarios: Vec<Scenario>,
) -> Result<(), RunError> {
    let mut attack = GooseAttack::initialize_with_config(config)?;
    for scenario in scenarios {
        attack = attack.register_scenario(scenario);
    }
    attack.execute().await?;
    Ok(())
}

/// Runs one load test and returns its metrics; errors come before any user starts.
pub async fn run(
    compiled: &Compiled,
    options: &RunOptions,
    mut config: GooseConfiguration,
    scenarios: Vec<Scenario>,
) -> Result<RunOutcome, RunError> {
    let profile = match &options.profile {
        Some(name) => Some(Profile::resolve(name, &options.settings)?),
        None => None,
    };
    let host = target::resolve_host_or(
        config.host.as_deref(),
        profile.as_ref().and_then(|p| p.host.as_deref()),
    );
    let gateway = target::gateway(&host)?;
    target::validate(&host)?;
    if let Some(warning) = target::base_mismatch(&host, compiled.plan_json) {
        eprintln!("gateway-loadtest: warning: {warning}");
    }
    // Hand-written scenarios' paths go under the host's base path; generated ones hold
    // the base they were discovered under.
    target::set_base(gateway.base());
    // Goose prints its host and keeps it in its reports: a user name and password in
    // the URL travel as a Basic header instead (GATEWAY_TOKEN's bearer wins over them).
    let (host, mut auth) = credentials(&host);
    config.host = Some(host.clone());
    let seed = crate::rng::init(options.seed);
    target::init_client(
        request_timeout(&config),
        !config.no_gzip,
        &auth,
        planned_users(profile.as_ref(), &config),
    )?;
    chain::reset();
    crate::known::reset();
    crate::answers::reset();
    crate::untracked::reset(compiled.operations);
    crate::feedback::reset();
    crate::backoff::reset();
    crate::cleanup::reset_stop();
    let mut planned = report::validity::Planned::from_scenarios(&scenarios, compiled.operations);

    // The pre-flight check: reads the gateway's documents (an error when nothing
    // answers), then leaves out what the gateway does not document.
    let mut prefixes = crate::routes::compiled_prefixes(compiled.plan_json);
    prefixes.extend(options.settings.discovery.prefixes.iter().cloned());
    let api = crate::routes::read_api(
        &host,
        &auth,
        &prefixes,
        Duration::from_secs(options.connect_timeout.max(1)),
    )
    .await?;
    log_in(&api, &host, &mut auth).await?;
    let (scenarios, left_out) = served_scenarios(
        compiled,
        options,
        &config,
        scenarios,
        &api,
        &host,
        seed,
        &mut planned,
    )?;
    crate::routes::install(match api {
        crate::routes::Api::Documented { .. } => Some(api),
        crate::routes::Api::Unknown { .. } => None,
    });
    let profile_label = profile_name(profile.as_ref(), &config);
    let folder = results::create_run_folder(&options.results_dir, &profile_label)?;
    let goose_json = report_files(&mut config, &folder);
    {
        let described = profile
            .as_ref()
            .filter(|p| !p.description.is_empty())
            .map(|p| format!(" ({})", p.description))
            .unwrap_or_default();
        eprintln!(
            "gateway-loadtest: {profile_label} profile{described} against {}, seed {seed}, results in {}",
            crate::spec::gateway_url::redact(&host),
            folder.display()
        );
    }

    let warmup = match options.no_warmup {
        true => crate::warmup::Warmup::default(),
        false => crate::warmup::run(compiled.operations, &host, &auth).await,
    };
    if warmup.requests > 0 {
        eprintln!(
            "gateway-loadtest: warm-up: {} request(s) ({} answered 2xx, {} of them reads of \
             what it found), not in the figures; learned {} record(s) of {} resource(s)",
            warmup.requests, warmup.succeeded, warmup.named_reads, warmup.records, warmup.resources
        );
    }

    let pacing = report::Pacing::of(&scenarios);
    let attack = attack(&config, profile.as_ref(), scenarios)?;
    crate::shard::wait_for_start().await?; // --shard: the common start; else at once
    let progress = progress::start(&config, planned_secs(profile.as_ref(), &config));
    let executed = attack.execute().await;
    progress.finish();
    let folder_name = folder
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let (metrics, thresholds_failed) = match executed {
        Ok(metrics) => (metrics, false),
        Err(GooseError::ThresholdsFailed { metrics, .. }) => (*metrics.0, true),
        Err(e) => {
            // What was sent before the failure still says which operations worked.
            let _ = write_validity(&folder, &folder_name, compiled, &planned);
            return Err(e.into());
        }
    };
    let interrupted = goose::is_killswitch_triggered();
    let cleanup = sweep(compiled.operations, &host, auth).await?;
    print_cleanup(compiled.operations, &cleanup);
    let (answers, validity, validity_line) =
        write_validity(&folder, &folder_name, compiled, &planned)?;
    let coverage = report::coverage::Coverage::build(&crate::deal::decks(), &metrics);
    coverage
        .write(&folder, &folder_name)
        .map_err(|source| RunError::Write {
            path: folder.join("coverage.md").display().to_string(),
            source,
        })?;
    let context = report::RunContext {
        title: format!("gateway-loadtest: {folder_name}"),
        facts: facts(&profile_label, &host, seed, &warmup, &coverage, &cleanup),
        goose_json: Some(goose_json),
        answers,
        validity: Some(validity),
        pacing: pacing.clone(),
    };
    write_file(
        &folder.join("discovery.json"),
        compiled.plan_json.as_bytes(),
    )?;
    write_json(&folder.join("routes.json"), &left_out)?;
    write_json(&folder.join("cleanup.json"), &cleanup)?;
    let reports =
        report::write_run_reports(&folder, &metrics, &options.settings.grading, &context)?;
    eprintln!("{}", reports.grades.table());
    eprintln!("{validity_line}");
    for line in coverage.lines() {
        eprintln!("{line}");
    }
    let backed_off = crate::backoff::backed_off(compiled.operations);
    if !backed_off.is_empty() {
        eprintln!(
            "gateway-loadtest: {} producer(s) never succeeded, so what needs them was sent only \
             1 time in {} (validity.md says why they fail): {}",
            backed_off.len(),
            crate::backoff::RETRY_EVERY,
            backed_off.join(", ")
        );
    }
    if let Some(note) = &reports.timeline_note {
        eprintln!("gateway-loadtest: summary.html has no charts over time: {note}");
    }
    Ok(RunOutcome {
        metrics,
        folder,
        thresholds_failed,
        interrupted,
        cleanup,
        warmup,
        coverage,
        pacing,
    })
}

/// Logs in at the documented OAuth2 password flow when `GATEWAY_USERNAME` and
/// `GATEWAY_PASSWORD` are set and no token was given; the token joins `auth`.
async fn log_in(
    api: &crate::routes::Api,
    host: &str,
    auth: &mut Vec<(String, String)>,
) -> Result<(), RunError> {
    crate::auth::reset();
    let token_given = auth
        .iter()
        .any(|(name, _)| name.eq_ignore_ascii_case("authorization"));
    let Some((username, password)) =
        crate::auth::credentials(|name| std::env::var(name).ok())?.filter(|_| !token_given)
    else {
        return Ok(());
    };
    let flow = match api {
        crate::routes::Api::Documented { flows, .. } => flows.first().cloned(),
        crate::routes::Api::Unknown { .. } => None,
    }
    .ok_or(crate::auth::AuthError::NoFlow)?;
    let path = flow.path.clone();
    let origin = target::gateway(host)?.origin_text();
    auth.push(crate::auth::start(&origin, flow, username, password).await?);
    eprintln!(
        "gateway-loadtest: logged in at POST {path} (OAuth2 password flow); a 401 logs in again"
    );
    Ok(())
}

/// The scenarios whose routes the gateway documents (saying what was left out), with
/// each app's operations dealt across its users from one deck; `planned` loses the
/// operations the mix gives no weight.
#[allow(clippy::too_many_arguments)]
fn served_scenarios(
    compiled: &Compiled,
    options: &RunOptions,
    config: &GooseConfiguration,
    scenarios: Vec<Scenario>,
    api: &crate::routes::Api,
    host: &str,
    seed: u64,
    planned: &mut report::validity::Planned,
) -> Result<(Vec<Scenario>, crate::routes::LeftOut), RunError> {
    let selected: Vec<String> = config
        .scenarios
        .as_ref()
        .map(|s| s.active.clone())
        .unwrap_or_default();
    let (scenarios, left_out) = crate::routes::retain_served(
        scenarios,
        compiled.personas,
        compiled.operations,
        api,
        &selected,
    );
    if let Some(names) = left_out.nothing_left(&scenarios, &selected) {
        return Err(RunError::NothingToRun {
            host: crate::spec::gateway_url::redact(host),
            names: names.join(", "),
        });
    }
    for line in left_out
        .lines()
        .into_iter()
        .chain(left_out.selected_lines(&selected))
    {
        eprintln!("{line}");
    }
    crate::deal::reset();
    let scenarios = crate::deal::deal_generated(
        scenarios,
        compiled.operations,
        &options.settings.mix,
        seed,
        &selected,
    )?;
    let weightless: Vec<&'static OperationInfo> = crate::deal::decks()
        .iter()
        .flat_map(|deck| deck.operations.iter())
        .filter(|(_, weight)| *weight <= 0.0)
        .map(|(info, _)| *info)
        .collect();
    planned.retain(|op| !weightless.iter().any(|w| std::ptr::eq(*w, op)));
    Ok((scenarios, left_out))
}

/// Makes Goose write its HTML, JSON and Markdown reports into `folder` (or adds a JSON
/// report to the ones asked for: our summary reads its per-second data); the JSON's path.
fn report_files(config: &mut GooseConfiguration, folder: &std::path::Path) -> PathBuf {
    let goose_json = folder.join("report.json");
    if config.report_file.is_empty() {
        for report in ["report.html", "report.json", "report.md"] {
            config
                .report_file
                .push(folder.join(report).display().to_string());
        }
    } else if !config.report_file.iter().any(|f| f.ends_with(".json")) {
        config.report_file.push(goose_json.display().to_string());
    }
    config.report_graph_data = true;
    config
        .report_file
        .iter()
        .find(|f| f.ends_with(".json"))
        .map(PathBuf::from)
        .unwrap_or(goose_json)
}

/// The attack: Goose's client for the users that send through it (the bare baseline;
/// everything else goes through target's shared client, which follows no redirect), the
/// profile's load shape under the command line's flags, and the scenarios.
fn attack(
    config: &GooseConfiguration,
    profile: Option<&Profile>,
    scenarios: Vec<Scenario>,
) -> Result<GooseAttack, RunError> {
    let mut attack = GooseAttack::initialize_with_config(config.clone())?
        .set_client_builder_without_cookies(
            GooseClientBuilder::new()
                .without_cookies()
                .user_agent(target::USER_AGENT),
        )?;
    attack = match (profile, env_shape()) {
        (Some(profile), _) => profile.apply(attack, config)?,
        (None, Some((users, duration))) => {
            let mut attack = Profile::light().apply(attack, config)?;
            if let Some(users) = users {
                attack = *attack.set_default(GooseDefault::Users, users)?;
            }
            if let Some(duration) = duration.filter(|_| config.iterations.is_none()) {
                attack = *attack.set_default(GooseDefault::RunTime, duration)?;
            }
            attack
        }
        (None, None) => Profile::light().apply(attack, config)?,
    };
    // Like Locust, count from the first request: on-start requests (sessions, seeds) are
    // real traffic. Goose allows this only for run-time shaped loads.
    if config.iterations.is_none() && !Profile::uses_test_plan(profile, config) {
        attack = *attack.set_default(GooseDefault::NoResetMetrics, true)?;
    }
    for scenario in scenarios {
        attack = attack.register_scenario(scenario);
    }
    Ok(attack)
}

/// The run's cleanup line, after every run (also when nothing was left behind), and
/// what deletes no link ties to a resource may have removed.
fn print_cleanup(operations: &[&'static OperationInfo], cleanup: &cleanup::SweepReport) {
    let with_parents = match cleanup.went_with_parents {
        0 => String::new(),
        n => format!(" ({n} more had gone with their parents)"),
    };
    eprintln!(
        "gateway-loadtest: cleanup swept {} resource(s){with_parents}; {} left behind{}; {} created but not tracked{}",
        cleanup.deleted,
        cleanup.left_behind.len(),
        describe_left(operations, &cleanup.left_behind),
        cleanup.untracked_count(),
        crate::untracked::describe(&cleanup.untracked)
    );
    if !cleanup.unlinked_deletes.is_empty() {
        eprintln!(
            "gateway-loadtest: cleanup: deletes no link ties to a resource answered 2xx, so \
             some of what is left behind may be gone{}",
            crate::untracked::describe(&cleanup.unlinked_deletes)
        );
    }
}

/// Writes `validity.md` and `validity.json` from what the run's requests were answered;
/// returns those answers, the validity and the line to print.
fn write_validity(
    folder: &std::path::Path,
    folder_name: &str,
    compiled: &Compiled,
    planned: &report::validity::Planned,
) -> Result<
    (
        Vec<crate::answers::Answers>,
        report::validity::Validity,
        String,
    ),
    RunError,
> {
    let answers = crate::answers::snapshot();
    let validity = report::validity::Validity::build(&answers, planned, compiled.operations);
    let [markdown, _] = report::validity::write(folder, &validity, folder_name)?;
    let line = validity.line(&markdown);
    Ok((answers, validity, line))
}

/// How long the load should last, for the progress line: `--run-time`, else the
/// profile's (light's when none shapes the load); unknown for iterations and test plans.
fn planned_secs(profile: Option<&Profile>, config: &GooseConfiguration) -> Option<u64> {
    if config.iterations.is_some() || Profile::uses_test_plan(profile, config) {
        return profile
            .filter(|_| !crate::profile::gives_load_shape(config))
            .map(Profile::run_time_secs);
    }
    if let Some(run_time) = config.run_time.as_deref() {
        return crate::spec::settings::parse_duration(run_time).ok();
    }
    match (profile, env_shape()) {
        (Some(profile), _) => Some(profile.run_time_secs()),
        (None, Some((_, Some(duration)))) => Some(duration as u64),
        _ => Some(Profile::light().run_time_secs()),
    }
}

/// The most users the run will have at once, when its shape says: `--users`, else the
/// profile's, `BENCHMARK_USERS`, light's; unknown for a test plan.
fn planned_users(profile: Option<&Profile>, config: &GooseConfiguration) -> Option<usize> {
    if let Some(users) = config.users {
        return Some(users);
    }
    if Profile::uses_test_plan(profile, config) {
        return None;
    }
    let users_of = |profile: &Profile| match profile.shape {
        crate::profile::Shape::Steady { users, .. } => Some(users),
        crate::profile::Shape::Plan(_) => None,
    };
    match (profile, env_shape()) {
        (Some(profile), _) => users_of(profile),
        (None, Some((Some(users), _))) => Some(users),
        _ => users_of(&Profile::light()),
    }
}

/// Goose's `--timeout` (seconds), else its 60-second default.
fn request_timeout(config: &GooseConfiguration) -> Duration {
    config
        .timeout
        .as_deref()
        .and_then(|t| t.trim().parse::<f64>().ok())
        .and_then(|secs| Duration::try_from_secs_f64(secs).ok())
        .unwrap_or(DEFAULT_REQUEST_TIMEOUT)
}

/// After the load: logs in again (the token may have expired) and sweeps what is left,
/// on the gateway's origin (generated paths hold their base).
async fn sweep(
    operations: &[&'static OperationInfo],
    host: &str,
    mut auth: Vec<(String, String)>,
) -> Result<cleanup::SweepReport, RunError> {
    let origin = target::gateway(host)?.origin_text();
    if let Some(fresh) = crate::auth::refresh().await {
        auth.retain(|(name, _)| !name.eq_ignore_ascii_case("authorization"));
        auth.push(fresh);
    }
    Ok(cleanup::sweep(operations, &origin, &auth, cleanup::SWEEP_BUDGET).await)
}

/// The facts summary.html shows at the top of a run.
fn facts(
    profile: &str,
    host: &str,
    seed: u64,
    warmup: &crate::warmup::Warmup,
    coverage: &report::coverage::Coverage,
    cleanup: &cleanup::SweepReport,
) -> Vec<(String, String)> {
    let (reached, planned) = coverage.totals();
    let fact = |name: &str, value: String| (name.to_string(), value);
    vec![
        fact("Profile", profile.to_string()),
        fact("Gateway", crate::spec::gateway_url::redact(host)),
        fact("Seed", seed.to_string()),
        fact(
            "Warm-up",
            format!(
                "{} request(s) before the load, not in the figures",
                warmup.requests
            ),
        ),
        fact(
            "Operations reached",
            format!("{reached}/{planned} (see coverage.md)"),
        ),
        fact(
            "Cleanup",
            format!(
                "{} swept, {} left behind, {} created but not tracked",
                cleanup.deleted,
                cleanup.left_behind.len(),
                cleanup.untracked_count()
            ),
        ),
    ]
}

fn write_json(path: &std::path::Path, value: &impl serde::Serialize) -> Result<(), RunError> {
    write_file(path, &serde_json::to_vec_pretty(value).unwrap_or_default())
}

fn write_file(path: &std::path::Path, bytes: &[u8]) -> Result<(), RunError> {
    std::fs::write(path, bytes).map_err(|source| RunError::Write {
        path: path.display().to_string(),
        source,
    })
}

/// `: 3 doc, 1 ticket (no DELETE operation for doc)` for the cleanup line.
fn describe_left(operations: &[&'static OperationInfo], left: &[(String, String)]) -> String {
    if left.is_empty() {
        return String::new();
    }
    let mut counts: Vec<(String, usize)> = Vec::new();
    for (resource, _) in left {
        match counts.iter_mut().find(|(r, _)| r == resource) {
            Some((_, n)) => *n += 1,
            None => counts.push((resource.clone(), 1)),
        }
    }
    let listed: Vec<String> = counts.iter().map(|(r, n)| format!("{n} {r}")).collect();
    let undeletable: Vec<&str> = counts
        .iter()
        .filter(|(r, _)| cleanup::delete_operation(operations, r).is_none())
        .map(|(r, _)| r.as_str())
        .collect();
    let mut text = format!(": {}", listed.join(", "));
    if !undeletable.is_empty() {
        text.push_str(&format!(
            " (no DELETE operation for {})",
            undeletable.join(", ")
        ));
    }
    text
}
