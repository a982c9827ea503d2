//! Tool rules: `[[rules]] tool = "mcp__github__*"` names the tools of an
//! agent (Claude Code's `Bash`, `Write`, an MCP server's
//! `mcp__<server>__<tool>`) by a glob over the tool's name.
//!
//! A tool rule judges the call as a whole, before (or beside) what rampart
//! makes of its input: it decides a tool rampart does not know, and can
//! only make a known tool's answer stricter (see [`tool_rule`]).

use std::fmt;

use globset::{GlobBuilder, GlobMatcher};

use crate::{Config, PatternError, Rule, RuleMatch};

/// Longest tool pattern accepted.
const MAX_TOOL_PATTERN: usize = 256;

/// A glob over a tool name (`mcp__github__*`, `Bash`, `mcp__*__delete_*`):
/// `*`, `?`, `[…]` and `{a,b}` as in the other patterns; the whole name
/// must match, and case matters (tool names are case-sensitive).
#[derive(Clone)]
pub struct ToolPattern {
    raw: String,
    matcher: GlobMatcher,
}

impl ToolPattern {
    /// Compiles `raw`.
    ///
    /// # Errors
    ///
    /// An empty or over-long pattern, one with whitespace or control
    /// characters (no tool name has them), or one globset refuses.
    pub fn new(raw: &str) -> Result<Self, PatternError> {
        if raw.is_empty() {
            return Err(PatternError::new(
                raw,
                "an empty tool pattern matches nothing",
            ));
        }
        if raw.len() > MAX_TOOL_PATTERN {
            return Err(PatternError::new(
                raw,
                format!("tool pattern is over {MAX_TOOL_PATTERN} bytes"),
            ));
        }
        if raw.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(PatternError::new(
                raw,
                format!("tool pattern `{}` has whitespace or a control character, which no tool name has", raw.escape_debug()),
            ));
        }
        let glob = GlobBuilder::new(raw)
            .literal_separator(false)
            .backslash_escape(true)
            .build()
            .map_err(|e| PatternError::new(raw, format!("tool pattern `{raw}`: {}", e.kind())))?;
        Ok(Self {
            raw: raw.to_owned(),
            matcher: glob.compile_matcher(),
        })
    }

    /// Whether `tool` is named by this pattern.
    pub fn matches(&self, tool: &str) -> bool {
        self.matcher.is_match(tool)
    }

    /// The pattern as written.
    pub fn as_str(&self) -> &str {
        &self.raw
    }
}

impl fmt::Debug for ToolPattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("ToolPattern").field(&self.raw).finish()
    }
}

impl PartialEq for ToolPattern {
    fn eq(&self, other: &Self) -> bool {
        self.raw == other.raw
    }
}

impl Eq for ToolPattern {}

/// The tool rule that judges a call of `tool`: of the rules whose `tool`
/// pattern names it, the strictest (`deny`, then `ask`, then `allow`; the
/// first written of that verdict), so that a `deny` for
/// `mcp__github__delete_*` holds whatever `allow` for `mcp__github__*`
/// comes before it, and a project's `deny` tightens a user's `allow`.
///
/// For a tool rampart does not know, this rule's verdict is the answer
/// (`[agents] unknown_tool` when there is none); for one it knows, the
/// answer is the stricter of this and rampart's own decision. The caller
/// applies `approval_policy = "never"` ([`crate::never_asks`]).
pub fn tool_rule<'c>(config: &'c Config, tool: &str) -> Option<&'c Rule> {
    let mut best: Option<&Rule> = None;
    for rule in &config.rules {
        let RuleMatch::Tool(p) = &rule.matcher else {
            continue;
        };
        if p.matches(tool) && best.is_none_or(|b| rule.decision > b.decision) {
            best = Some(rule);
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{HostEnv, Verdict};

    fn rule(tool: &str, decision: Verdict) -> Rule {
        Rule {
            matcher: RuleMatch::Tool(ToolPattern::new(tool).unwrap()),
            decision,
            reason: format!("{tool} {decision}"),
            origin: format!("test:{tool}"),
        }
    }

    #[test]
    fn patterns_match_whole_names() {
        let p = ToolPattern::new("mcp__github__*").unwrap();
        assert!(p.matches("mcp__github__create_issue"));
        assert!(!p.matches("mcp__gitlab__create_issue"));
        assert!(!p.matches("xmcp__github__a"));
        assert!(ToolPattern::new("Bash").unwrap().matches("Bash"));
        assert!(!ToolPattern::new("Bash").unwrap().matches("bash"));
        assert!(ToolPattern::new("").is_err());
        assert!(ToolPattern::new("a b").is_err());
        assert!(ToolPattern::new("mcp__[").is_err());
    }

    #[test]
    fn the_strictest_matching_rule_wins() {
        let mut cfg = Config::defaults(&HostEnv::default());
        cfg.rules = vec![
            rule("mcp__github__*", Verdict::Allow),
            rule("mcp__github__delete_*", Verdict::Deny),
            rule("mcp__*", Verdict::Ask),
        ];
        let r = tool_rule(&cfg, "mcp__github__delete_repo").unwrap();
        assert_eq!(r.decision, Verdict::Deny);
        let r = tool_rule(&cfg, "mcp__github__list").unwrap();
        assert_eq!(r.decision, Verdict::Ask);
        let r = tool_rule(&cfg, "mcp__slack__post").unwrap();
        assert_eq!(r.origin, "test:mcp__*");
        assert!(tool_rule(&cfg, "Frobnicate").is_none());
    }
}
