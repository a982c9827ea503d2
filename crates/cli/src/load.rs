//! The config in force here, for the commands that only read it; finding
//! and layering the files is [`rampart_server::exec_plan::config_files`].

use std::path::PathBuf;

use rampart_policy::Config;
pub(crate) use rampart_server::exec_plan::config_files::{
    host_env, load, load_with, user_config_path, Loaded,
};
pub(crate) use rampart_server::exec_plan::workspace;

/// The config in force for the current directory, or `None` after
/// printing every problem.
pub(crate) fn config_here(global: &crate::args::Global) -> Option<Config> {
    let base = match workspace(None) {
        Ok(w) => w,
        Err(e) => {
            crate::ui::error(&e.to_string());
            return None;
        }
    };
    let loaded = load_with(
        global.config.as_deref(),
        &global.overrides,
        Some(&base),
        global.profile.as_deref(),
    );
    if !loaded.errors.is_empty() {
        crate::ui::config_errors(&loaded.errors);
        return None;
    }
    Some(loaded.config)
}

/// The current directory (canonical), the config in force there and the
/// detection rules that config gives for `usage`; `None` after printing
/// every problem.
pub(crate) fn detection(
    global: &crate::args::Global,
    usage: rampart_policy::DetectUse,
) -> Option<(PathBuf, Config, rampart_detect::RuleSet)> {
    let config = config_here(global)?;
    let base = workspace(None).ok()?;
    match config.detect.rule_set(usage) {
        Ok(rules) => Some((base, config, rules)),
        Err(e) => {
            crate::ui::error(&format!("detection rules: {e}"));
            crate::ui::hint("fix `[detect]` in your config (`rampart doctor` lists the files)");
            None
        }
    }
}
