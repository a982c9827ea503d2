//! git: subcommands, `-c` configs, and what they run.

use super::{
    ext_command, git_command_value, git_positional_outputs, git_prints_files, git_sub_level,
    git_talks_to_a_remote, option_values, words_to_strings, Judge, Risk, Word, EXEC_KEYS,
};

impl Judge<'_> {
    /// `git [global options] SUB ARGS`: where it works, the configs it
    /// is given, what the subcommand runs and writes, and its level.
    pub(super) fn git(&mut self, argv: &[Word], args: &[String]) {
        let (i, configs) = self.git_globals(argv, args);
        let sub = args.get(i).map_or("", String::as_str);
        let subargs = args.get(i + 1..).unwrap_or_default();
        if sub == "credential" || sub.starts_with("credential-") {
            // `git credential fill` prints a stored password: a credential
            // read (sent on by a network client in the same line: critical).
            let store = self.path("~/.git-credentials");
            self.out.reads.push(store);
            self.push(
                argv,
                Risk::High,
                format!("`git {sub}` reads stored credentials"),
            );
        }
        self.options(argv, &format!("git {sub}"), subargs);
        self.git_runs(argv, sub, subargs);
        self.git_configs(argv, &configs);
        for out in git_positional_outputs(sub, subargs) {
            let (risk, why) = self.write_target(&out);
            self.push(argv, risk.max(Risk::Medium), format!("`git {sub}` {why}"));
        }
        let (risk, reason) = git_sub_level(sub, subargs);
        if git_talks_to_a_remote(sub, subargs) {
            self.out.network = true;
        }
        if git_prints_files(sub, subargs) {
            self.out.git_prints_files = true;
        }
        self.push(argv, risk, reason);
    }

    /// git's options before the subcommand: `-C`/`--git-dir` outside the
    /// workspace, `--exec-path=DIR`, `-c` keys that run programs. Where
    /// the subcommand is, and the `-c`/`--config-env` values.
    fn git_globals(&mut self, argv: &[Word], args: &[String]) -> (usize, Vec<String>) {
        let mut i = 0;
        let mut configs = Vec::new();
        let mut elsewhere: Vec<String> = Vec::new();
        while let Some(a) = args.get(i) {
            let (opt, inline) = match a.split_once('=') {
                Some((o, v)) if o.starts_with("--") => (o, Some(v.to_owned())),
                _ => (a.as_str(), None),
            };
            match opt {
                "-c" => {
                    configs.extend(args.get(i + 1).cloned());
                    i += 2;
                }
                "--config-env" => {
                    configs.extend(inline.or_else(|| args.get(i + 1).cloned()));
                    i += if a.contains('=') { 1 } else { 2 };
                }
                "-C" | "--git-dir" | "--work-tree" => {
                    let v = inline.clone().or_else(|| args.get(i + 1).cloned());
                    elsewhere.extend(v);
                    i += if inline.is_some() { 1 } else { 2 };
                }
                "--exec-path" if inline.is_some() => {
                    self.push(
                        argv,
                        Risk::High,
                        "`git --exec-path` runs git's subcommands from another directory",
                    );
                    i += 1;
                }
                "--namespace" => i += if inline.is_some() { 1 } else { 2 },
                a if a.starts_with('-') => i += 1,
                _ => break,
            }
        }
        for dir in elsewhere {
            let p = self.path(&dir);
            if !self.inside(&p) {
                self.push(
                    argv,
                    Risk::High,
                    format!("`git` works in `{}`, outside the workspace, whose config can make git run programs", p.display()),
                );
            }
        }
        if configs.iter().any(|c| {
            EXEC_KEYS
                .iter()
                .any(|k| c.to_ascii_lowercase().starts_with(k))
        }) {
            self.push(
                argv,
                Risk::High,
                "`git -c` sets a key that makes git run programs",
            );
        }
        (i, configs)
    }

    /// `git -c KEY=VALUE` (and `git config KEY VALUE`, which runs later)
    /// for keys whose value is a shell command (`core.pager`, `alias.x=!…`,
    /// `core.sshCommand`, …), and `ext::` transport URLs: the command is
    /// analysed, so `git -c core.pager='rm -rf ~' log` is critical.
    pub(super) fn git_configs(&mut self, argv: &[Word], configs: &[String]) {
        let args = words_to_strings(argv.get(1..).unwrap_or_default());
        let mut commands: Vec<String> = Vec::new();
        // `git clone -c KEY=VALUE` / `--config KEY=VALUE` too.
        let clone_configs: Vec<String> = if args.iter().any(|a| a == "clone") {
            ["-c", "--config"]
                .iter()
                .flat_map(|o| option_values(&args, o))
                .flatten()
                .map(str::to_owned)
                .collect()
        } else {
            Vec::new()
        };
        for c in configs.iter().chain(&clone_configs) {
            if let Some((k, v)) = c.split_once('=') {
                commands.extend(git_command_value(k, v));
            }
        }
        if let Some(at) = args.iter().position(|a| a == "config") {
            let mut ops: Vec<&String> = Vec::new();
            let mut it = args.iter().skip(at + 1);
            while let Some(a) = it.next() {
                if matches!(
                    a.as_str(),
                    "-f" | "--file" | "--blob" | "--type" | "--default" | "--comment"
                ) {
                    it.next();
                } else if !a.starts_with('-') {
                    ops.push(a);
                }
            }
            if let [k, v, ..] = ops.as_slice() {
                commands.extend(git_command_value(k, v));
            }
        }
        for a in &args {
            if let Some(cmd) = a.strip_prefix("ext::") {
                self.push(
                    argv,
                    Risk::High,
                    format!("the `ext::` URL makes git run `{cmd}` as its transport"),
                );
                commands.push(ext_command(cmd));
            }
        }
        for cmd in commands {
            self.script(&cmd, 1);
        }
    }

    /// Git subcommands that run commands: the inner command is analysed.
    pub(super) fn git_runs(&mut self, argv: &[Word], sub: &str, subargs: &[String]) {
        let mut scripts: Vec<String> = Vec::new();
        match sub {
            "rebase" => {
                for o in ["-x", "--exec"] {
                    scripts.extend(
                        option_values(subargs, o)
                            .into_iter()
                            .flatten()
                            .map(str::to_owned),
                    );
                }
            }
            "difftool" => {
                for o in ["-x", "--extcmd"] {
                    scripts.extend(
                        option_values(subargs, o)
                            .into_iter()
                            .flatten()
                            .map(str::to_owned),
                    );
                }
            }
            "bisect" if subargs.first().is_some_and(|a| a == "run") => {
                let words: Vec<String> = subargs
                    .iter()
                    .skip(1)
                    .map(|w| crate::shell::quote(w))
                    .collect();
                scripts.push(words.join(" "));
            }
            "submodule" if subargs.iter().any(|a| a == "foreach") => {
                let words: Vec<String> = subargs
                    .iter()
                    .skip_while(|a| *a != "foreach")
                    .skip(1)
                    .skip_while(|a| a.starts_with('-'))
                    .cloned()
                    .collect();
                scripts.push(words.join(" "));
            }
            "filter-branch" => {
                for o in [
                    "--env-filter",
                    "--tree-filter",
                    "--index-filter",
                    "--parent-filter",
                    "--msg-filter",
                    "--commit-filter",
                    "--tag-name-filter",
                    "--setup",
                ] {
                    scripts.extend(
                        option_values(subargs, o)
                            .into_iter()
                            .flatten()
                            .map(str::to_owned),
                    );
                }
            }
            _ => {}
        }
        for s in scripts {
            self.push(
                argv,
                Risk::Medium,
                format!("`git {sub}` runs a command: `{s}`"),
            );
            self.script(&s, 1);
        }
    }
}
