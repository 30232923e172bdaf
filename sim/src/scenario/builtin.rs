//! Scenarios embedded in the binary, so `subnetlab run` works from any directory.

/// A named scenario shipped inside the binary.
#[derive(Clone, Copy, Debug)]
pub struct BuiltinScenario {
    /// Name used on the command line (`subnetlab run default`).
    pub name: &'static str,
    /// The YAML text (the same file as under `scenarios/`).
    pub yaml: &'static str,
}

/// Every built-in scenario; the first is the default.
pub const BUILTIN_SCENARIOS: &[BuiltinScenario] = &[
    BuiltinScenario {
        name: "default",
        yaml: include_str!("../../../scenarios/default.yaml"),
    },
    BuiltinScenario {
        name: "two-subnets",
        yaml: include_str!("../../../scenarios/two-subnets.yaml"),
    },
    BuiltinScenario {
        name: "kappa-sweep",
        yaml: include_str!("../../../scenarios/kappa-sweep.yaml"),
    },
    BuiltinScenario {
        name: "schedule-smooth",
        yaml: include_str!("../../../scenarios/schedule-smooth.yaml"),
    },
    BuiltinScenario {
        name: "noisy-validators",
        yaml: include_str!("../../../scenarios/noisy-validators.yaml"),
    },
];

/// The built-in scenario called `name`.
pub fn builtin(name: &str) -> Option<&'static BuiltinScenario> {
    BUILTIN_SCENARIOS.iter().find(|s| s.name == name)
}
