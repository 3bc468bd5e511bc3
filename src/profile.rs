//! Named load profiles (light, medium, heavy, stress, spike) and how they fill Goose's defaults.

use goose::config::GooseConfiguration;
use goose::prelude::*;

/// A load shape from the original toolkit's table; any Goose flag given overrides it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Profile {
    /// 5 users started at 1 per second, 60 s.
    Light,
    /// 20 users started at 2 per second, 120 s.
    Medium,
    /// 50 users started at 5 per second, 300 s.
    Heavy,
    /// 100 users started at 10 per second, 600 s.
    Stress,
    /// 180 s: 20 users, a burst to 200, back to 20, then down.
    Spike,
}

/// The spike profile's Goose test plan: `users,time` steps that add up to 180 s.
pub const SPIKE_TEST_PLAN: &str = "20,10s;20,40s;200,10s;200,60s;20,10s;20,40s;0,10s";

/// Users, increase rate (users per second) and run time of a steady profile.
struct Steady {
    users: usize,
    increase_rate: &'static str,
    run_time_secs: usize,
}

impl Profile {
    /// The name used in result folders and reports.
    pub fn name(self) -> &'static str {
        match self {
            Profile::Light => "light",
            Profile::Medium => "medium",
            Profile::Heavy => "heavy",
            Profile::Stress => "stress",
            Profile::Spike => "spike",
        }
    }

    fn steady(self) -> Steady {
        let (users, increase_rate, run_time_secs) = match self {
            Profile::Light => (5, "1", 60),
            Profile::Medium => (20, "2", 120),
            Profile::Heavy => (50, "5", 300),
            Profile::Stress => (100, "10", 600),
            // Used only when a flag has replaced the spike's test plan.
            Profile::Spike => (200, "20", 180),
        };
        Steady {
            users,
            increase_rate,
            run_time_secs,
        }
    }

    /// Sets this profile's shape as Goose defaults, which any flag given overrides.
    pub fn apply(
        self,
        attack: GooseAttack,
        config: &GooseConfiguration,
    ) -> Result<GooseAttack, GooseError> {
        if uses_test_plan(Some(self), config) && !test_plan_given(config) {
            return Ok(*attack.set_default(GooseDefault::TestPlan, SPIKE_TEST_PLAN)?);
        }
        let steady = self.steady();
        let mut attack = *attack.set_default(GooseDefault::Users, steady.users)?;
        if config.increase_time.is_none() {
            attack = *attack.set_default(GooseDefault::IncreaseRate, steady.increase_rate)?;
        }
        if config.iterations.is_none() {
            attack = *attack.set_default(GooseDefault::RunTime, steady.run_time_secs)?;
        }
        Ok(attack)
    }
}

/// True when the run's shape is a Goose test plan: one given, or the spike profile's.
pub fn uses_test_plan(profile: Option<Profile>, config: &GooseConfiguration) -> bool {
    test_plan_given(config) || (profile == Some(Profile::Spike) && !gives_load_shape(config))
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
