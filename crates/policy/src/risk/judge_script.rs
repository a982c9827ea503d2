//! Whole scripts: parsing, variables, programs named by variables, commands per part, credentials sent, inline interpreter code.

use super::{
    basename, has, is_shell, parse_script, runs_stdin_as_code, unwrap_wrappers, Context, Judge,
    Path, Risk, Script, SimpleCommand, Word, NETWORK,
};

impl Judge<'_> {
    pub(super) fn script(&mut self, src: &str, depth: usize) {
        self.raw_script(src);
        let s = parse_script(src);
        self.script_parsed(&s, depth);
    }

    /// Findings on the script's text itself, whether or not it parses.
    pub(super) fn raw_script(&mut self, src: &str) {
        if src.contains("/dev/tcp/") || src.contains("/dev/udp/") {
            self.out.whole.push((
                Risk::Critical,
                "opens a network connection through the shell's `/dev/tcp` or `/dev/udp` (a reverse shell or an exfiltration channel)".into(),
            ));
        }
    }

    /// Remembers the values `s` assigns (for [`Self::program_candidates`]).
    pub(super) fn remember_vars(&mut self, s: &Script) {
        for (name, value) in &s.assignments {
            if self.vars.len() < 256 {
                self.vars.push((name.clone(), value.text().to_owned()));
            }
        }
    }

    /// The command words a program word only known at run time may stand
    /// for: `$X`/`${X}`/`"${X[@]}"` are the literal values the script
    /// assigns to X (word-split; an array's elements), `${X:-W}` also W,
    /// and `$(echo W…)` the words W. At most eight.
    pub(super) fn program_candidates(&self, text: &str) -> Vec<Vec<String>> {
        let t = text.trim_matches('"');
        let split = |v: &str| -> Vec<String> {
            let v = v.trim();
            let v = v
                .strip_prefix('(')
                .and_then(|x| x.strip_suffix(')'))
                .unwrap_or(v);
            v.split_whitespace()
                .map(|w| w.trim_matches(['"', '\'']).to_owned())
                .collect()
        };
        let mut out: Vec<Vec<String>> = Vec::new();
        if let Some(inner) = t
            .strip_prefix("$(")
            .and_then(|x| x.strip_suffix(')'))
            .or_else(|| t.strip_prefix('`').and_then(|x| x.strip_suffix('`')))
        {
            if let Some(words) = inner.trim().strip_prefix("echo ") {
                out.push(split(words));
            }
            return out;
        }
        let body = t
            .strip_prefix("${")
            .and_then(|x| x.strip_suffix('}'))
            .or_else(|| t.strip_prefix('$'));
        let Some(body) = body else {
            return out;
        };
        let end = if body.starts_with(['@', '*']) {
            1
        } else {
            body.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(body.len())
        };
        let (name, rest) = body.split_at(end);
        if name.is_empty() {
            return out;
        }
        for op in [":-", ":=", "-", "="] {
            if let Some(default) = rest.strip_prefix(op) {
                out.push(split(default));
                break;
            }
        }
        let name = if name == "*" { "@" } else { name };
        for (n, v) in self.vars.iter().rev() {
            if n == name {
                out.push(split(v));
            }
        }
        out.retain(|w| !w.is_empty());
        out.truncate(8);
        out
    }

    pub(super) fn script_parsed(&mut self, s: &Script, depth: usize) {
        self.remember_vars(s);
        self.out.opaque.extend(s.opaque.iter().cloned());
        self.functions.extend(s.functions.iter().cloned());
        for (name, value) in &s.assignments {
            self.env_assignment(name, value.text(), "");
            // A quoted `$(…)` in a value runs when bash evaluates the value
            // later: as arithmetic (`x='a[$(cmd)]'; (( x ))`), as a prompt
            // (`${x@P}`), through `declare -i`. Judged as if it ran here.
            if let Word::Literal(v) = value {
                if v.contains("$(") || v.contains('`') {
                    self.script(&format!(": {v}"), depth + 1);
                }
            }
        }
        for f in &s.recursive_functions {
            self.out.whole.push((
                Risk::Critical,
                format!("the function `{f}` calls itself (a fork bomb)"),
            ));
        }
        let effective = self.judge_commands(s);
        let programs = |i: usize| -> Vec<String> {
            effective
                .get(i)
                .map(|ls| {
                    ls.iter()
                        .filter_map(|l| l.first().and_then(Word::literal))
                        .map(|p| basename(p).to_owned())
                        .collect()
                })
                .unwrap_or_default()
        };
        // Pipelines into an interpreter.
        for (idx, c) in s.commands.iter().enumerate() {
            let Some((id, pos)) = c.pipeline else {
                continue;
            };
            let runner = effective.get(idx).and_then(|ls| {
                ls.iter().find_map(|l| {
                    let p = l.first().and_then(Word::literal).map(basename)?;
                    runs_stdin_as_code(p, l).then(|| p.to_owned())
                })
            });
            let Some(p) = runner else {
                continue;
            };
            let p = p.as_str();
            if pos == 0 {
                continue;
            }
            let before_idx: Vec<usize> = s
                .commands
                .iter()
                .enumerate()
                .filter(|(_, o)| {
                    o.pipeline
                        .is_some_and(|(oid, opos)| oid == id && opos < pos)
                })
                .map(|(i, _)| i)
                .collect();
            let before: Vec<&SimpleCommand> = before_idx
                .iter()
                .filter_map(|i| s.commands.get(*i))
                .collect();
            let fetch = before_idx
                .iter()
                .any(|i| programs(*i).iter().any(|n| has(NETWORK, n)));
            let decoder = before_idx.iter().find_map(|i| {
                programs(*i)
                    .into_iter()
                    .find(|n| crate::knowledge::get().is_none_or(|k| k.is_decoder(n)))
            });
            // `echo 'ls -la' | sh`: literal text, analysed as the script.
            let literal_text: Option<String> = match before.as_slice() {
                [only] if only.program() == Some("echo") => only
                    .argv
                    .iter()
                    .skip(1)
                    .map(Word::literal)
                    .collect::<Option<Vec<&str>>>()
                    .filter(|w| w.first().is_none_or(|f| !f.starts_with('-')))
                    .map(|w| w.join(" ")),
                _ => None,
            };
            if fetch {
                self.out
                    .whole
                    .push((Risk::Critical, "downloads and runs code".into()));
            } else if let Some(d) = decoder {
                self.out.whole.push((
                    Risk::Critical,
                    format!("decodes data with `{d}` and runs it as code with `{p}`"),
                ));
            } else {
                if let Some(text) = literal_text.filter(|_| is_shell(p)) {
                    self.script(&text, 1);
                }
                self.out
                    .whole
                    .push((Risk::High, format!("pipes data into `{p}` to run as code")));
            }
        }
        self.credentials_sent(s, &effective);
    }

    /// Judges each command of `s`; for each, every command line it
    /// reaches through wrappers.
    pub(super) fn judge_commands(&mut self, s: &Script) -> Vec<Vec<Vec<Word>>> {
        let mut effective: Vec<Vec<Vec<Word>>> = Vec::new();
        for c in &s.commands {
            self.reached.push(Vec::new());
            self.command(c);
            let mut lines = self.reached.pop().unwrap_or_default();
            lines.push(unwrap_wrappers(&c.argv).to_vec());
            effective.push(lines);
        }
        effective
    }

    /// Credentials read and sent anywhere by one script (`cat KEY | nc`,
    /// `grep -r ~ | curl -d @-`), through any wrapper.
    pub(super) fn credentials_sent(&mut self, s: &Script, effective: &[Vec<Vec<Word>>]) {
        let reads = self.out.reads.clone();
        let reads_creds = reads
            .iter()
            .any(|p| self.is_credential(p) || self.holds_credentials(p));
        let sends = effective.iter().flatten().any(|l| {
            let git_remote = l.first().and_then(Word::literal).map(basename) == Some("git")
                && l.iter().any(|w| {
                    matches!(
                        w.text(),
                        "push" | "fetch" | "pull" | "clone" | "ls-remote" | "send-email"
                    )
                });
            git_remote
                || l.first()
                    .and_then(Word::literal)
                    .map(basename)
                    .is_some_and(|n| {
                        has(NETWORK, n)
                            || (n == "openssl" && l.iter().any(|w| w.text() == "s_client"))
                    })
        });
        if reads_creds && sends && s.commands.len() > 1 {
            self.out.whole.push((
                Risk::Critical,
                "reads credential files and sends data over the network".into(),
            ));
        }
    }

    /// Inline interpreter code (`python -c`, `node -e`, awk programs…),
    /// judged by [`crate::inline`]; only what raises it above medium is kept.
    pub(super) fn inline(&mut self, argv: &[Word], lang: crate::inline::Lang, code: &str) {
        let cwd = self.cwd.clone();
        let ctx = Context {
            cwd: cwd.as_deref().unwrap_or(Path::new("/unknown-directory")),
            ..self.ctx
        };
        let v = crate::inline::analyse(lang, code, ctx);
        if argv
            .iter()
            .any(|w| w.literal().is_none() && code.contains(w.text()))
        {
            self.out.opaque.push(format!(
                "inline {} code only known at run time",
                lang.name()
            ));
        }
        for (risk, reason) in v.reasons.into_iter().filter(|(r, _)| *r > Risk::Medium) {
            self.push(argv, risk, reason);
        }
        self.out.opaque.extend(v.opaque);
        self.out.reads.extend(v.reads);
        self.out.writes.extend(v.writes);
        self.out.hosts.extend(v.hosts);
    }
}
