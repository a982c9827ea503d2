//! Programs judged as what they run: foreign programs, fetched code, environment assignments, options, nested rampart, make, extraction, python modules, wrappers, script recorders, parallel.

use super::{
    basename, decodes, fetches, git_command_value, is_shell, option_values, short_flags,
    words_to_strings, wrapper_spec, Judge, Path, PathBuf, Risk, Word, SYSTEM_DIRS,
};

impl Judge<'_> {
    /// A program named by a path that is not a system program directory.
    pub(super) fn foreign_program(&mut self, argv: &[Word], program: &str, name: &str) {
        let p = self.path(program);
        let (risk, why) = if self.downloads.contains(&p) {
            (
                Risk::Critical,
                format!("runs `{program}`, which this command line downloaded"),
            )
        } else if !self.inside(&p)
            && ["/tmp", "/var/tmp", "/dev/shm", "/run/user"]
                .iter()
                .any(|t| p.starts_with(t))
        {
            (
                Risk::High,
                format!("runs `{program}` from a temporary directory: unknown code"),
            )
        } else {
            (
                Risk::Medium,
                format!("`{program}` is a program named by its path, not the system's `{name}`: unknown code"),
            )
        };
        self.push(argv, risk, why);
    }

    /// Code-running programs whose code or script comes from a download
    /// substituted into the command line (`bash -c "$(curl …)"`,
    /// `bash <(wget -O- …)`, `python3 -c "$(curl …)"`).
    pub(super) fn runs_fetched_code(&mut self, argv: &[Word], name: &str) {
        let runs_code = is_shell(name)
            || matches!(
                name,
                "eval"
                    | "source"
                    | "."
                    | "python"
                    | "python3"
                    | "perl"
                    | "ruby"
                    | "node"
                    | "php"
                    | "lua"
                    | "deno"
                    | "bun"
                    | "awk"
                    | "gawk"
                    | "sh"
            );
        if !runs_code {
            return;
        }
        if let Some(w) = argv
            .iter()
            .skip(1)
            .find(|w| matches!(w, Word::Dynamic(t) if fetches(t)))
        {
            self.push(
                argv,
                Risk::Critical,
                format!("downloads and runs code (`{}`)", w.text()),
            );
        }
        // `bash -c "$(base64 -d <<< …)"`, `. <(xxd -r -p f)`: decoded data
        // run as code, like `base64 -d | sh`.
        if let Some(w) = argv
            .iter()
            .skip(1)
            .find(|w| matches!(w, Word::Dynamic(t) if decodes(t)))
        {
            self.push(
                argv,
                Risk::Critical,
                format!("decodes data and runs it as code (`{}`)", w.text()),
            );
        }
        if !is_shell(name) && !matches!(name, "eval" | "source" | ".") {
            let script = argv
                .iter()
                .skip(1)
                .find(|w| !w.text().starts_with('-'))
                .and_then(Word::literal);
            if let Some(s) = script.filter(|s| self.downloads.contains(&self.path(s))) {
                let s = s.to_owned();
                self.push(
                    argv,
                    Risk::Critical,
                    format!("runs `{s}`, which this command line downloaded"),
                );
            }
        }
    }

    /// `NAME=value` (prefix, `env`, `export` or plain): variables that make
    /// programs run code, and `PATH` entries that put unknown programs first.
    pub(super) fn env_assignment(&mut self, name: &str, value: &str, how: &str) {
        let how = if how.is_empty() {
            String::new()
        } else {
            format!("`{how}` ")
        };
        if name == "PATH" {
            for entry in value.split(':') {
                let e = entry.trim_matches('"');
                // `$PWD/bin`, `$(pwd)`: the working directory, spelled late.
                let cwd = self
                    .cwd
                    .as_deref()
                    .unwrap_or(self.ctx.cwd)
                    .display()
                    .to_string();
                let spelled = ["${PWD}", "$PWD", "$(pwd)", "`pwd`"]
                    .iter()
                    .find_map(|v| e.strip_prefix(v).map(|rest| format!("{cwd}{rest}")));
                let e = spelled.as_deref().unwrap_or(e);
                if e.is_empty() || e.starts_with('$') {
                    continue;
                }
                let p = self.path(e);
                let relative = !(e.starts_with('/') || e.starts_with('~'));
                let tool_dir = ["node_modules/.bin", ".venv/bin", "venv/bin"]
                    .iter()
                    .any(|t| p.ends_with(t));
                let temp = ["/tmp", "/var/tmp", "/dev/shm"]
                    .iter()
                    .any(|t| p.starts_with(t));
                if (relative || temp || self.inside(&p)) && !tool_dir {
                    self.out.whole.push((
                        Risk::High,
                        format!(
                            "{how}puts `{e}` on `PATH`: later command names may run whatever is there"
                        ),
                    ));
                    return;
                }
            }
            return;
        }
        // `LESS='+!cmd'`: less runs its startup commands, `!` is a shell.
        let pager_commands =
            matches!(name, "LESS" | "MORE" | "LV") && (value.contains('!') || value.contains('|'));
        if pager_commands || crate::knowledge::get().is_none_or(|k| k.env_runs_code(name, value)) {
            self.out.whole.push((
                Risk::High,
                format!(
                    "{how}sets `{name}`, which makes programs run or load code of its choosing"
                ),
            ));
            // Variables whose value is a shell command line: the command
            // is judged too (`GIT_SSH_COMMAND='rm -rf ~' git fetch`).
            let command = matches!(
                name,
                "PAGER"
                    | "GIT_PAGER"
                    | "MANPAGER"
                    | "SYSTEMD_PAGER"
                    | "BAT_PAGER"
                    | "DELTA_PAGER"
                    | "PSQL_PAGER"
                    | "EDITOR"
                    | "VISUAL"
                    | "GIT_EDITOR"
                    | "GIT_SEQUENCE_EDITOR"
                    | "SUDO_EDITOR"
                    | "SYSTEMD_EDITOR"
                    | "FCEDIT"
                    | "GIT_SSH_COMMAND"
                    | "GIT_EXTERNAL_DIFF"
                    | "GIT_PROXY_COMMAND"
                    | "PROMPT_COMMAND"
                    | "RSYNC_RSH"
                    | "BROWSER"
            );
            let less_pipe = matches!(name, "LESSOPEN" | "LESSCLOSE")
                .then(|| value.trim_start_matches(['|', '-']).replace("%s", "x"));
            let script = if command {
                Some(value.to_owned())
            } else {
                less_pipe
            };
            if let Some(sc) = script.filter(|v| !v.trim().is_empty() && !v.contains("$(")) {
                self.script(&sc, 1);
            }
        }
        // `GIT_CONFIG_KEY_N=core.pager GIT_CONFIG_VALUE_N=CMD`: a git config
        // pair whose value is a command line.
        if let Some(n) = name.strip_prefix("GIT_CONFIG_VALUE_") {
            let key_name = format!("GIT_CONFIG_KEY_{n}");
            let key = self
                .vars
                .iter()
                .rev()
                .find(|(k, _)| *k == key_name)
                .map(|(_, v)| v.clone());
            if let Some(cmd) = key.and_then(|k| git_command_value(&k, value)) {
                self.script(&cmd, 1);
            }
        }
    }

    /// Options of `key` (a program, or "git grep") that run a program or
    /// write a file (`knowledge.toml`).
    pub(super) fn options(&mut self, argv: &[Word], key: &str, args: &[String]) {
        let Some(k) = crate::knowledge::get() else {
            return;
        };
        let mut found: Vec<(Risk, String, Option<String>)> = Vec::new();
        let mut writes: Vec<String> = Vec::new();
        for entry in k.options_for(key) {
            for opt in &entry.runs {
                if let Some(v) = option_values(args, opt).into_iter().next() {
                    found.push((
                        Risk::High,
                        format!(
                            "`{key} {opt}` makes it run a program or code of the caller's choosing"
                        ),
                        v.map(str::to_owned),
                    ));
                }
            }
            for opt in &entry.writes {
                writes.extend(
                    option_values(args, opt)
                        .into_iter()
                        .flatten()
                        .map(str::to_owned),
                );
            }
        }
        for (risk, why, value) in found {
            self.push(argv, risk, why);
            // Options whose value is a command line: analyse it too.
            if let Some(v) = value {
                let v = v.strip_prefix("exec=").unwrap_or(&v).to_owned();
                if v.contains(' ') || v.contains('/') {
                    let before = self.out.opaque.len();
                    self.script(&v, 1);
                    // A value that is not a command line is not "unanalysable".
                    self.out.opaque.truncate(before);
                }
            }
        }
        for w in writes {
            let (risk, why) = self.write_target(&w);
            self.push(argv, risk.max(Risk::Medium), why);
        }
    }

    /// `rampart …` inside a command: judged as what it runs, with its flags.
    pub(super) fn rampart(&mut self, argv: &[Word], args: &[String], depth: usize) {
        let line = self.rampart_line(args);
        let sub = line.sub.unwrap_or("");
        match sub {
            "exec" | "sandbox-run" => self.rampart_exec(argv, sub, line, depth),
            "check" | "doctor" | "scan" | "redact" | "audit" | "help" | "" => {
                let destructive = args.iter().any(|a| {
                    matches!(
                        a.as_str(),
                        "prune" | "purge" | "delete" | "rotate" | "reset"
                    )
                });
                if destructive {
                    self.push(
                        argv,
                        Risk::High,
                        format!("`rampart {sub}` changes the audit trail"),
                    );
                } else {
                    self.push(
                        argv,
                        Risk::Low,
                        format!("`rampart {sub}` only reads or decides; it runs nothing"),
                    );
                }
            }
            "approvals" => {
                if args.iter().any(|a| a == "approve" || a == "deny") {
                    self.push(
                        argv,
                        Risk::Critical,
                        "`rampart approvals approve|deny` answers rampart's approval queue: only the human may",
                    );
                } else {
                    self.push(argv, Risk::Low, "`rampart approvals list` lists asks");
                }
            }
            "serve" | "mcp" | "init" | "hook" => {
                self.push(
                    argv,
                    Risk::High,
                    format!("`rampart {sub}` starts or configures rampart itself"),
                );
            }
            _ => self.push(argv, Risk::Medium, format!("`rampart {sub}`")),
        }
    }

    /// `rampart exec|sandbox-run [flags] -- CMD`: the flags' findings, and
    /// CMD judged in the workspace `-C` names.
    fn rampart_exec(&mut self, argv: &[Word], sub: &str, line: RampartLine<'_>, depth: usize) {
        for (r, why) in line.findings {
            self.push(argv, r, why);
        }
        if sub == "sandbox-run" {
            self.push(
                argv,
                Risk::High,
                "`rampart sandbox-run` is internal to rampart's servers: it refuses to run without their sealed plan",
            );
        } else {
            self.push(
                argv,
                Risk::Low,
                "`rampart exec` decides and records what it runs",
            );
        }
        // The command starts in the workspace `-C` names.
        let saved = self.cwd.clone();
        if let Some(d) = line.chdir {
            self.cwd = Some(d);
        }
        match line
            .inner_at
            .and_then(|n| argv.get(n + 1..))
            .filter(|r| !r.is_empty())
        {
            Some(cmd) => self.argv(cmd, depth + 1),
            None => self.push(argv, Risk::Low, "`rampart` without a command"),
        }
        self.cwd = saved;
    }

    /// Reads a `rampart` command line: its subcommand, where the command
    /// it runs starts, its `-C`, and what its flags loosen.
    fn rampart_line<'a>(&mut self, args: &'a [String]) -> RampartLine<'a> {
        const VALUE: &[&str] = &[
            "--config",
            "--profile",
            "--color",
            "--sandbox",
            "--approval",
            "-C",
            "--workspace",
            "--writable-root",
            "--allow-host",
            "--timeout",
            "--memory",
            "--max-procs",
            "--keep-env",
        ];
        let mut line = RampartLine::default();
        let mut i = 0;
        while let Some(a) = args.get(i) {
            let (opt, inline) = match a.split_once('=') {
                Some((o, v)) if o.starts_with("--") => (o, Some(v)),
                // `-C/`: the short option with its value attached.
                _ if a.len() > 2 && a.starts_with("-C") => ("-C", a.get(2..)),
                _ => (a.as_str(), None),
            };
            if a == "--" {
                line.inner_at = Some(i + 1);
                break;
            }
            if !a.starts_with('-') {
                if line.sub.is_none() {
                    line.sub = Some(a);
                    i += 1;
                    continue;
                }
                line.inner_at = Some(i);
                break;
            }
            let value = if VALUE.contains(&opt) {
                if inline.is_some() {
                    inline
                } else {
                    i += 1;
                    args.get(i).map(String::as_str)
                }
            } else {
                inline
            };
            let value = value.unwrap_or("");
            self.rampart_option(args, &mut i, opt, value, &mut line);
            i += 1;
        }
        line
    }

    /// What one `rampart` flag loosens (`--allow-git-writes` may take the
    /// next word as its value: `i` moves past it).
    fn rampart_option(
        &mut self,
        args: &[String],
        i: &mut usize,
        opt: &str,
        value: &str,
        line: &mut RampartLine<'_>,
    ) {
        match opt {
            "--config" | "--profile" => line.findings.push((
                Risk::High,
                format!("`rampart {opt} {value}` replaces the policy this command is judged by"),
            )),
            "--sandbox" if value != "read-only" && value != "workspace-write" => {
                line.findings.push((
                    Risk::High,
                    format!("`rampart --sandbox {value}` asks for less confinement"),
                ));
            }
            "-C" | "--workspace" | "--writable-root" => {
                let p = self.path(value);
                if opt != "--writable-root" {
                    line.chdir = Some(p.clone());
                }
                if !self.inside(&p) {
                    line.findings.push((
                        Risk::High,
                        format!(
                            "`rampart {opt} {value}` makes `{}` writable, outside the workspace",
                            p.display()
                        ),
                    ));
                }
            }
            "--allow-host" | "--network" => {
                line.findings
                    .push((Risk::High, format!("`rampart {opt}` turns the network on")));
            }
            "--keep-env" => line.findings.push((
                Risk::High,
                format!("`rampart --keep-env {value}` hands a filtered variable to the command"),
            )),
            "--allow-git-writes" => {
                if matches!(
                    args.get(*i + 1).map(String::as_str),
                    Some("true" | "commits" | "false")
                ) {
                    *i += 1;
                }
                if args.get(*i).is_some_and(|v| v != "false") {
                    line.findings.push((
                        Risk::High,
                        "`rampart --allow-git-writes` lets the command write `.git` (hooks run code)".into(),
                    ));
                }
            }
            _ => {}
        }
    }

    /// `make`: a makefile from outside the workspace, `--eval` code and a
    /// replaced `SHELL` run what they say.
    pub(super) fn make(&mut self, argv: &[Word], args: &[String]) {
        let mut worst = (
            Risk::Medium,
            "`make` builds, tests or runs the workspace's recipes".to_owned(),
        );
        for opt in [
            "-f",
            "--file",
            "--makefile",
            "-C",
            "--directory",
            "-I",
            "--include-dir",
        ] {
            for v in option_values(args, opt).into_iter().flatten() {
                let p = self.path(v);
                if !self.inside(&p) {
                    worst = worst.max((
                        Risk::High,
                        format!("`make {opt} {v}` runs recipes from outside the workspace"),
                    ));
                }
            }
        }
        for opt in ["--eval", "-E"] {
            for v in option_values(args, opt).into_iter().flatten() {
                worst = worst.max((
                    Risk::High,
                    format!("`make {opt}` runs make code given on the command line"),
                ));
                for part in v.split("$(shell ").skip(1) {
                    let code = part.rsplit_once(')').map_or(part, |(c, _)| c).to_owned();
                    self.script(&code, 1);
                }
            }
        }
        if let Some(a) = args.iter().find(|a| {
            a.split_once('=').is_some_and(|(n, _)| {
                matches!(n, "SHELL" | ".SHELLFLAGS" | "MAKEFLAGS" | "MAKESHELL")
            })
        }) {
            worst = worst.max((
                Risk::High,
                format!("`make {a}` replaces the shell that runs every recipe"),
            ));
        }
        self.push(argv, worst.0, worst.1);
    }

    /// Judges what a wrapper runs: its arguments after the leading options.
    /// `tar -x -C DIR`, `unzip -d DIR`, `7z x -oDIR`: an archive's files
    /// are written under DIR (any of them may be `.bashrc` or `etc/passwd`).
    pub(super) fn extract_dirs(&mut self, argv: &[Word], name: &str, args: &[String]) {
        let dirs: Vec<String> = match name {
            "unzip" => option_values(args, "-d")
                .into_iter()
                .flatten()
                .map(str::to_owned)
                .collect(),
            "7z" | "7za" => args
                .iter()
                .filter_map(|a| a.strip_prefix("-o"))
                .map(str::to_owned)
                .collect(),
            _ => {
                let extract = args.first().is_some_and(|a| {
                    !a.starts_with("--") && a.trim_start_matches('-').contains('x')
                }) || short_flags(args).contains('x')
                    || args.iter().any(|a| a == "--extract" || a == "--get");
                if !extract {
                    return;
                }
                ["-C", "--directory"]
                    .iter()
                    .flat_map(|o| option_values(args, o))
                    .flatten()
                    .map(str::to_owned)
                    .collect()
            }
        };
        for d in dirs {
            let p = self.path(&d);
            if self.inside(&p) {
                continue;
            }
            let (risk, why) = self.write_target(&d);
            let risk = if p == Path::new("/") || SYSTEM_DIRS.iter().any(|s| p == Path::new(s)) {
                Risk::Critical
            } else {
                risk.max(Risk::High)
            };
            self.push(
                argv,
                risk,
                format!("`{name}` extracts files into `{}`: {why}", p.display()),
            );
        }
    }

    /// `python -m MODULE …`: `pip` is judged as `pip …`, `http.server` as
    /// a file server.
    pub(super) fn python_module(&mut self, argv: &[Word], args: &[String], depth: usize) {
        let Some(i) = args
            .iter()
            .take_while(|a| a.starts_with('-'))
            .position(|a| a.starts_with("-m"))
        else {
            return;
        };
        let (module, skip) = match args.get(i).map(String::as_str) {
            Some("-m") => (args.get(i + 1).map_or("", String::as_str), i + 3),
            Some(a) => (a.trim_start_matches("-m"), i + 2),
            None => return,
        };
        match module {
            "pip" | "pip3" | "pipx" | "uv" | "poetry" => {
                let mut inner = vec![Word::Literal(module.to_owned())];
                inner.extend(argv.get(skip..).unwrap_or_default().iter().cloned());
                self.argv(&inner, depth + 1);
            }
            "zipapp" | "compileall" | "py_compile" | "json.tool" => {
                // Modules that write the file their `-o`/`--output`/last
                // operand names.
                let rest = args.get(skip.saturating_sub(1)..).unwrap_or_default();
                let mut outs: Vec<String> = ["-o", "--output", "-d"]
                    .iter()
                    .flat_map(|o| option_values(rest, o))
                    .flatten()
                    .map(str::to_owned)
                    .collect();
                if module == "json.tool" {
                    outs.extend(rest.iter().filter(|a| !a.starts_with('-')).nth(1).cloned());
                }
                for o in outs {
                    let (risk, why) = self.write_target(&o);
                    self.push(argv, risk.max(Risk::Medium), why);
                }
            }
            "http.server" | "SimpleHTTPServer" | "pyftpdlib" | "uploadserver" => self.push(
                argv,
                Risk::High,
                "serves files over the network: whatever it can read is exposed",
            ),
            _ => {}
        }
    }

    /// A wrapper that runs the command after its options (those in
    /// `value` take the next word) and `operands` more words.
    pub(super) fn wrapped(&mut self, argv: &[Word], depth: usize, value: &[&str], operands: usize) {
        let mut i = 1;
        while let Some(t) = argv.get(i).map(Word::text) {
            if t == "--" {
                i += 1;
                break;
            }
            if !t.starts_with('-') {
                break;
            }
            i += if value.contains(&t) { 2 } else { 1 };
        }
        i += operands;
        if let Some(inner) = argv.get(i..).filter(|r| !r.is_empty()) {
            self.argv(inner, depth + 1);
        } else {
            let name = argv.first().map_or("", |w| basename(w.text()));
            self.push(
                argv,
                Risk::Medium,
                format!("`{name}` runs a shell or nothing"),
            );
        }
    }

    /// A program of [`wrapper_spec`] that runs the command it is given
    /// (`chroot / rm …`, `fakeroot rm …`, `uv run rm …`): the command is
    /// judged as if typed alone.
    pub(super) fn through(&mut self, argv: &[Word], name: &str, depth: usize) {
        let Some(spec) = wrapper_spec(name, argv) else {
            return;
        };
        let mut i = 1 + usize::from(spec.sub.is_some());
        let mut shell_flag = false;
        while let Some(t) = argv.get(i).map(Word::text) {
            if t == "--" {
                i += 1;
                break;
            }
            if !t.starts_with('-') || t == "-" {
                break;
            }
            if spec.script.contains(&t) {
                shell_flag = true;
                // `nix-shell --run CMD`: the value is the command line.
                if name == "nix-shell" {
                    if let Some(v) = argv.get(i + 1).and_then(Word::literal) {
                        let v = v.to_owned();
                        self.script(&v, depth + 1);
                    }
                    i += 2;
                    continue;
                }
            }
            i += if spec.two.contains(&t) {
                3
            } else if spec.one.contains(&t) {
                2
            } else {
                1
            };
        }
        i += spec.operands;
        self.push(
            argv,
            Risk::Medium,
            format!("`{name}` runs the command it is given (analysed)"),
        );
        if name == "machinectl" {
            self.push(
                argv,
                Risk::Critical,
                "`machinectl shell` opens a shell as another user (root by default): it escalates privileges",
            );
        }
        let inner = argv.get(i..).unwrap_or_default();
        if inner.is_empty() {
            return;
        }
        if name == "capsh" {
            // `capsh … -- ARGS`: ARGS are bash's.
            let mut bash = vec![Word::Literal("bash".into())];
            bash.extend(inner.iter().cloned());
            self.argv(&bash, depth + 1);
        } else if name == "sg" || (name == "entr" && shell_flag) {
            // `sg GROUP [-c] CMD…`, `entr -s CMD`: a shell command line.
            let words: Vec<&str> = inner
                .iter()
                .skip_while(|w| w.text() == "-c")
                .map(Word::text)
                .collect();
            if inner.iter().all(|w| w.literal().is_some()) {
                self.script(&words.join(" "), depth + 1);
            } else {
                self.push(
                    argv,
                    Risk::High,
                    "runs a shell command only known at run time",
                );
            }
        } else if name != "nix-shell" {
            self.argv(inner, depth + 1);
        }
    }

    /// `script -c CMD FILE`: CMD is a shell command line, FILE is written.
    /// Without `-c`, `script` runs an interactive shell reading its input.
    pub(super) fn script_recorder(&mut self, argv: &[Word], args: &[String], depth: usize) {
        let has_c = args.iter().any(|a| {
            a == "--command"
                || a.starts_with("--command=")
                || (a.starts_with('-') && !a.starts_with("--") && a.contains('c'))
        });
        if !has_c {
            self.push(
                argv,
                Risk::High,
                "`script` without `-c` runs a shell that reads commands from its input",
            );
        }
        for o in ["-c", "--command"] {
            for v in option_values(args, o).into_iter().flatten() {
                self.script(v, depth + 1);
            }
        }
        let value = [
            "-c",
            "--command",
            "-E",
            "--echo",
            "-I",
            "--log-in",
            "-O",
            "--log-out",
            "-B",
            "--log-io",
            "-T",
            "--log-timing",
            "-m",
            "--logging-format",
            "-o",
            "--output-limit",
        ];
        let mut i = 0;
        let mut file = None;
        while let Some(a) = args.get(i) {
            if value.contains(&a.as_str()) {
                i += 2;
                continue;
            }
            if !a.starts_with('-') {
                file = Some(a.clone());
                break;
            }
            i += 1;
        }
        let file = file.unwrap_or_else(|| "typescript".into());
        let (risk, why) = self.write_target(&file);
        self.push(argv, risk.max(Risk::Medium), why);
    }

    /// GNU `parallel CMD ::: ARGS`: each argument is appended to CMD and the
    /// line run by a shell; without CMD each argument is a command line.
    pub(super) fn parallel(&mut self, argv: &[Word], args: &[String], depth: usize) {
        const VALUE: &[&str] = &[
            "-j",
            "--jobs",
            "-S",
            "--sshlogin",
            "-a",
            "--arg-file",
            "-d",
            "--delimiter",
            "-I",
            "-n",
            "-N",
            "-L",
            "-E",
            "--colsep",
            "--timeout",
            "--joblog",
            "--results",
            "--tmpdir",
            "--workdir",
            "--basefile",
            "--env",
            "--sshloginfile",
        ];
        self.push(argv, Risk::Medium, "runs a command line for every argument");
        let mut i = 0;
        while let Some(a) = args.get(i) {
            if !a.starts_with('-') || a.starts_with(":::") {
                break;
            }
            i += if VALUE.contains(&a.as_str()) { 2 } else { 1 };
        }
        let words = args.get(i..).unwrap_or_default();
        let sep = words
            .iter()
            .position(|w| w.starts_with(":::"))
            .unwrap_or(words.len());
        let cmd = words.get(..sep).unwrap_or_default().join(" ");
        let operands: Vec<&String> = words
            .get(sep..)
            .unwrap_or_default()
            .iter()
            .filter(|w| !w.starts_with(":::"))
            .take(32)
            .collect();
        if operands.is_empty() {
            if cmd.is_empty() {
                self.push(
                    argv,
                    Risk::High,
                    "`parallel` runs command lines read from its input",
                );
            } else {
                self.script(&cmd, depth + 1);
            }
        }
        for o in operands {
            let line = if cmd.is_empty() {
                o.clone()
            } else if cmd.contains("{}") {
                // `parallel sh -c {} ::: 'CMD'`: the argument replaces `{}`
                // as one (quoted) word; judged both quoted and as typed.
                let quoted = cmd.replace("{}", &crate::shell::quote(o));
                self.script(&quoted, depth + 1);
                cmd.replace("{}", o)
            } else {
                format!("{cmd} {o}")
            };
            self.script(&line, depth + 1);
        }
    }

    pub(super) fn after_options(&mut self, argv: &[Word], depth: usize) {
        let skip = 1 + argv
            .iter()
            .skip(1)
            .take_while(|w| w.text().starts_with('-'))
            .count();
        if let Some(inner) = argv.get(skip..).filter(|r| !r.is_empty()) {
            self.argv(inner, depth + 1);
        }
    }

    pub(super) fn override_for(&self, argv: &[Word]) -> Option<(Risk, String, bool)> {
        let words = words_to_strings(argv);
        let o = self.ctx.overrides.iter().rev().find(|o| {
            o.command.len() <= words.len()
                && o.command
                    .iter()
                    .zip(&words)
                    .enumerate()
                    .all(|(i, (p, w))| p == "*" || p == w || (i == 0 && basename(w) == p))
        })?;
        // A raise-only entry adds a finding; a full override replaces the table.
        Some((o.level, o.reason.clone(), !o.raise_only))
    }
}

/// A `rampart` command line, as [`Judge::rampart_line`] reads it.
#[derive(Default)]
struct RampartLine<'a> {
    /// What its flags loosen.
    findings: Vec<(Risk, String)>,
    /// Its subcommand.
    sub: Option<&'a str>,
    /// Where the command it runs starts, among the arguments.
    inner_at: Option<usize>,
    /// The workspace it names with `-C`/`--workspace`.
    chdir: Option<PathBuf>,
}
