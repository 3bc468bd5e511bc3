//! The README's "On your own gateway" section followed as written
//! (`tests/own_gateway/follow_readme.sh`), and a profile's run time read as a Locust user
//! reads it: the whole run, ramp-up included.

use crate::common::{binary, only_run_folder, repo, temp_dir, text, Gateway, ATTACK};
use std::time::{Duration, Instant};

/// The folder of the tests' own build (`target/release`), whose dependencies seed the
/// script's separate target folder.
fn seed_dir() -> std::path::PathBuf {
    let binary = std::path::PathBuf::from(env!("CARGO_BIN_EXE_gateway-loadtest"));
    binary.parent().map(|p| p.to_path_buf()).unwrap_or_default()
}

#[test]
fn the_readme_on_your_own_gateway_section_works_as_written() {
    let _one_at_a_time = ATTACK.blocking_lock();
    let started = Instant::now();
    let output = std::process::Command::new("timeout")
        .args(["1500", "bash", "tests/own_gateway/follow_readme.sh"])
        .current_dir(repo())
        .env_remove("CARGO_TARGET_DIR")
        .env("SEED_DIR", seed_dir())
        .output()
        .expect("run tests/own_gateway/follow_readme.sh");
    let log = text(&output);
    assert!(output.status.success(), "{log}");
    assert!(log.contains("follow_readme: ok"), "{log}");
    eprintln!(
        "follow_readme.sh took {:.0} s",
        started.elapsed().as_secs_f64()
    );
}

#[test]
fn a_profiles_run_time_is_the_whole_run_ramp_up_included() {
    let _one_at_a_time = ATTACK.blocking_lock();
    let gateway = Gateway::own_gateway();
    let dir = temp_dir("profile-run-time");
    let config = dir.join("gateway-loadtest.toml");
    // Goose alone would ramp 10 s, then hold 12 s: 22 s.
    let run_time = 12.0;
    std::fs::write(
        &config,
        "[profiles.ramped]\nusers = 10\nincrease_rate = 1\nrun_time = 12\n",
    )
    .unwrap();
    let results = dir.join("results");
    let started = Instant::now();
    let output = binary()
        .args(["--profile", "ramped", "--host", &gateway.url])
        .args(["--no-telnet", "--no-websocket", "--quiet", "--no-warmup"])
        .arg("--config")
        .arg(&config)
        .arg("--results-dir")
        .arg(&results)
        .output()
        .expect("run the binary");
    let wall = started.elapsed();
    let log = text(&output);
    assert!(output.status.success(), "{log}");
    only_run_folder(&results, &log);
    // Generous: start-up, the sweep and the reports add a little; Goose's reading of
    // the run time would add the whole ramp-up.
    assert!(
        wall >= Duration::from_secs_f64(run_time - 1.0)
            && wall <= Duration::from_secs_f64(run_time + 6.0),
        "a {run_time} s profile ran {:.1} s: {log}",
        wall.as_secs_f64()
    );
    let _ = std::fs::remove_dir_all(dir);
}
