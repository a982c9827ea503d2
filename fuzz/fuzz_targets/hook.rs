//! Any bytes as a Claude Code hook call, through the path the hook takes:
//! parse, plan (paths resolved), then `Gate::judge_with`. Never panics;
//! an input the hook cannot map is never allowed (with `unknown_tool =
//! "ask"`); the gate's answer is never looser than the policy's decision
//! on the action as written or on any form it resolves to; and what is
//! recorded is exactly what is answered.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use rampart_gate::{decide, Event, Gate, NoApprover, RecordError, Recorder, Stage, Verdict};
use rampart_policy::{Config, HostEnv};
use rampart_server::hook::{plan, HookInput, Plan};

/// The verdicts recorded.
#[derive(Default)]
struct Kept(Vec<(Stage, Verdict)>);

impl Recorder for Kept {
    fn record(&mut self, e: &Event<'_>) -> Result<(), RecordError> {
        self.0.push((e.stage, e.decision.verdict));
        Ok(())
    }
}

fn config() -> &'static Config {
    static C: OnceLock<Config> = OnceLock::new();
    C.get_or_init(|| {
        let env = HostEnv {
            home: Some("/nonexistent/fuzz-home".into()),
            ..HostEnv::default()
        };
        Config::defaults(&env)
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(input) = serde_json::from_slice::<HookInput>(data) else {
        return;
    };
    let config = config();
    match plan(&input, config) {
        Plan::Answer { decision, .. } => assert_ne!(decision, "allow", "{input:?}"),
        Plan::Judge {
            action, resolved, ..
        } => {
            let mut gate = Gate::new(config, NoApprover, Kept::default());
            let judged = gate.judge_with(&action, &resolved, |_| {});
            let kept = gate.into_recorder().0;
            let Ok(j) = judged else {
                assert!(kept.is_empty(), "an invalid action was recorded: {input:?}");
                return;
            };
            for a in std::iter::once(&action).chain(&resolved) {
                assert!(
                    j.decision.verdict >= decide(config, a).verdict,
                    "the answer is looser than the decision on {a:?}"
                );
            }
            assert_eq!(kept, vec![(Stage::Decided, j.decision.verdict)]);
        }
    }
});
