//! Load profiles: the built-in ones (light, medium, heavy, stress, spike) and those of
//! `[profiles.NAME]` in the configuration file, and how they fill Goose's defaults.

use crate::spec::settings::Settings;
use goose::config::GooseConfiguration;
use goose::prelude::*;

/// The built-in profiles, in the original toolkit's order.
pub const BUILT_IN: [&str; 5] = ["light", "medium", "heavy", "stress", "spike"];

/// The spike profile's Goose test plan: `users,time` steps that add up to 180 s.
pub const SPIKE_TEST_PLAN: &str = "20,10s;20,40s;200,10s;200,60s;20,10s;20,40s;0,10s";

/// A profile ready to apply: its name, shape, and the host and description a configured
/// profile may carry.
#[derive(Clone, Debug, PartialEq)]
pub struct Profile {
    pub name: String,
    pub shape: Shape,
    /// The gateway, used when neither `--host` nor `GATEWAY_URL` names one.
    pub host: Option<String>,
    pub description: String,
}

/// How the load rises and how long it lasts.
#[derive(Clone, Debug, PartialEq)]
pub enum Shape {
    /// `users` started at `increase_rate` per second, for `run_time_secs`.
    Steady {
        users: usize,
        increase_rate: f64,
        run_time_secs: u64,
    },
    /// A Goose test plan (`users,time;...`).
    Plan(&'static str),
}

/// Why a profile name cannot be used.
#[derive(Debug, thiserror::Error)]
#[error("use profile {name:?}: there is no such profile; choose one of {known} or add [profiles.{name}] to the configuration file")]
pub struct UnknownProfile {
    pub name: String,
    pub known: String,
}

impl Profile {
    /// `name` from the configuration file's `[profiles]`, else a built-in one.
    pub fn resolve(name: &str, settings: &Settings) -> Result<Profile, UnknownProfile> {
        if let Some(custom) = settings.profiles.get(name) {
            return Ok(Profile {
                name: name.to_string(),
                shape: Shape::Steady {
                    users: custom.users,
                    increase_rate: custom.increase_rate.unwrap_or(custom.users as f64),
                    run_time_secs: custom.run_time,
                },
                host: custom.host.clone(),
                description: custom.description.clone(),
            });
        }
        let steady = |users, increase_rate, run_time_secs, description: &str| {
            Shape::Steady {
                users,
                increase_rate,
                run_time_secs,
            }
            .named(name, description)
        };
        Ok(match name {
            "light" => steady(5, 1.0, 60, "5 users started at 1 per second, 60 s"),
            "medium" => steady(20, 2.0, 120, "20 users started at 2 per second, 120 s"),
            "heavy" => steady(50, 5.0, 300, "50 users started at 5 per second, 300 s"),
            "stress" => steady(100, 10.0, 600, "100 users started at 10 per second, 600 s"),
            "spike" => Shape::Plan(SPIKE_TEST_PLAN).named(
                name,
                "180 s: 20 users, a burst to 200, back to 20, then down",
            ),
            _ => {
                let mut known: Vec<&str> = BUILT_IN.to_vec();
                known.extend(settings.profiles.keys().map(String::as_str));
                return Err(UnknownProfile {
                    name: name.to_string(),
                    known: known.join(", "),
                });
            }
        })
    }

    /// The default profile, `light`.
    pub fn light() -> Profile {
        Profile::resolve("light", &Settings::default()).expect("light is built in")
    }

    /// Seconds the load lasts, when the shape says (a test plan's own steps add up).
    pub fn run_time_secs(&self) -> u64 {
        match self.shape {
            Shape::Steady { run_time_secs, .. } => run_time_secs,
            Shape::Plan(_) => 180,
        }
    }

    /// Sets this profile's shape as Goose defaults, which any flag given overrides.
    pub fn apply(
        &self,
        attack: GooseAttack,
        config: &GooseConfiguration,
    ) -> Result<GooseAttack, GooseError> {
        let (users, increase_rate, run_time_secs) = match self.shape {
            Shape::Plan(plan) if !gives_load_shape(config) => {
                return Ok(*attack.set_default(GooseDefault::TestPlan, plan)?);
            }
            Shape::Steady {
                users,
                increase_rate,
                run_time_secs,
            } => (users, increase_rate, run_time_secs),
            // A flag replaced the test plan: its peak as a steady shape.
            Shape::Plan(_) => (200, 20.0, 180),
        };
        let timing = Timing::of(users, increase_rate, run_time_secs, config);
        let mut attack = *attack.set_default(GooseDefault::Users, users)?;
        if config.increase_time.is_none() {
            let rate = timing.increase_rate.to_string();
            attack = *attack.set_default(GooseDefault::IncreaseRate, rate.as_str())?;
        }
        if config.iterations.is_none() {
            let secs = usize::try_from(timing.hold_secs).unwrap_or(usize::MAX);
            attack = *attack.set_default(GooseDefault::RunTime, secs)?;
        }
        Ok(attack)
    }

    /// True when the run's shape is a Goose test plan: one given, or the profile's.
    pub fn uses_test_plan(profile: Option<&Profile>, config: &GooseConfiguration) -> bool {
        test_plan_given(config)
            || (profile.is_some_and(|p| matches!(p.shape, Shape::Plan(_)))
                && !gives_load_shape(config))
    }
}

/// How a profile's run time is handed to Goose. Goose's `--run-time` is the hold after
/// the ramp-up (its test plan is ramp, hold, stop), so a run lasts ramp-up + run time;
/// a profile's run time is the whole run's, as a Locust user reads it: the hold is the
/// run time less the ramp-up. A ramp-up as long as the run time (or longer) is sped up
/// to take half of it, unless the command line set the rate or the ramp's time.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Timing {
    /// Users started per second (the profile's, or sped up).
    pub increase_rate: f64,
    /// Seconds Goose holds all users after the ramp-up: its `--run-time`.
    pub hold_secs: u64,
}

impl Timing {
    /// The timing of a profile of `users` started at `increase_rate` per second for a
    /// whole run of `run_time_secs`, with what `config` (the command line) sets.
    pub fn of(
        users: usize,
        increase_rate: f64,
        run_time_secs: u64,
        config: &GooseConfiguration,
    ) -> Timing {
        let users = config.users.unwrap_or(users);
        let given_rate = config
            .increase_rate
            .as_deref()
            .and_then(|r| r.trim().parse::<f64>().ok())
            .filter(|r| *r > 0.0);
        let given_time = config
            .increase_time
            .as_deref()
            .and_then(|t| crate::spec::settings::parse_duration(t).ok());
        let run_ms = run_time_secs.saturating_mul(1000);
        let ramp_ms = |rate: f64| (users as f64 / rate * 1000.0) as u64;
        let (rate, ramp) = match (given_time, given_rate) {
            (Some(secs), _) => (increase_rate, secs.saturating_mul(1000)),
            (None, Some(rate)) => (rate, ramp_ms(rate)),
            (None, None) if increase_rate > 0.0 && ramp_ms(increase_rate) < run_ms => {
                (increase_rate, ramp_ms(increase_rate))
            }
            // The profile's ramp would eat the run: all users started in half of it.
            (None, None) => {
                let half = (run_ms / 2).max(1);
                let rate = users.max(1) as f64 * 1000.0 / half as f64;
                (rate, ramp_ms(rate))
            }
        };
        Timing {
            increase_rate: rate,
            // Goose counts its run time in whole seconds: at least one.
            hold_secs: (run_ms.saturating_sub(ramp) / 1000).max(1),
        }
    }
}

impl Shape {
    fn named(self, name: &str, description: &str) -> Profile {
        Profile {
            name: name.to_string(),
            shape: self,
            host: None,
            description: description.to_string(),
        }
    }
}

/// True when the command line sets any part of the load's shape, so a test plan would clash.
pub fn gives_load_shape(config: &GooseConfiguration) -> bool {
    config.users.is_some()
        || config.increase_rate.is_some()
        || config.increase_time.is_some()
        || config.run_time.is_some()
        || config.decrease_rate.is_some()
        || config.decrease_time.is_some()
        || config.iterations.is_some()
        || test_plan_given(config)
}

/// Goose keeps `test_plan` crate-private; its serialised form says whether one was given.
fn test_plan_given(config: &GooseConfiguration) -> bool {
    serde_json::to_value(config)
        .ok()
        .and_then(|value| value.get("test_plan").cloned())
        .is_some_and(|plan| !plan.is_null())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn built_in_and_configured_profiles_resolve() {
        let settings = crate::spec::settings::parse(
            "[profiles.soak]\nusers = 30\nrun_time = \"2m\"\nhost = \"http://127.0.0.1:9\"\n\
             [profiles.light]\nusers = 7\nincrease_rate = 7\nrun_time = 10\n",
        )
        .unwrap();
        let soak = Profile::resolve("soak", &settings).unwrap();
        assert_eq!(
            soak.shape,
            Shape::Steady {
                users: 30,
                increase_rate: 30.0,
                run_time_secs: 120
            }
        );
        assert_eq!(soak.host.as_deref(), Some("http://127.0.0.1:9"));
        // A configured profile replaces the built-in one of the same name.
        assert_eq!(
            Profile::resolve("light", &settings)
                .unwrap()
                .run_time_secs(),
            10
        );
        assert_eq!(Profile::light().run_time_secs(), 60);
        assert_eq!(
            Profile::resolve("spike", &settings).unwrap().shape,
            Shape::Plan(SPIKE_TEST_PLAN)
        );
    }

    #[test]
    fn a_profiles_run_time_is_the_whole_run_ramp_up_included() {
        let none = GooseConfiguration::default();
        // light: 5 users at 1 per second ramp for 5 s, then hold 55 s.
        let light = Timing::of(5, 1.0, 60, &none);
        assert_eq!((light.increase_rate, light.hold_secs), (1.0, 55));
        // A ramp as long as the run is sped up to half of it.
        let slow = Timing::of(20, 1.0, 10, &none);
        assert_eq!((slow.increase_rate, slow.hold_secs), (4.0, 5));
        // The command line's users lengthen the ramp; its rate is kept, even if slow.
        let mut config = GooseConfiguration::default();
        config.users = Some(10);
        assert_eq!(Timing::of(5, 1.0, 60, &config).hold_secs, 50);
        config.increase_rate = Some("2".to_string());
        assert_eq!(Timing::of(5, 1.0, 60, &config).hold_secs, 55);
        config.increase_rate = Some("0.1".to_string());
        let kept = Timing::of(5, 1.0, 60, &config);
        assert_eq!((kept.increase_rate, kept.hold_secs), (0.1, 1));
        config.increase_rate = None;
        config.increase_time = Some("15s".to_string());
        assert_eq!(Timing::of(5, 1.0, 60, &config).hold_secs, 45);
    }

    #[test]
    fn an_unknown_profile_lists_the_known_ones() {
        let settings =
            crate::spec::settings::parse("[profiles.soak]\nusers = 3\nrun_time = 5\n").unwrap();
        let err = Profile::resolve("haevy", &settings)
            .unwrap_err()
            .to_string();
        assert!(err.contains("\"haevy\""), "{err}");
        assert!(err.contains("heavy") && err.contains("soak"), "{err}");
        assert!(err.contains("[profiles.haevy]"), "{err}");
    }
}
