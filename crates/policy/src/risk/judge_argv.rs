//! The judgement of one argv: the program, its options and its operands.

use super::{
    archived_sources, basename, bound_command, brace_alternatives, has, interpreter_script,
    is_credential_path, is_shell, is_system_program, option_values, reads_script_from_stdin,
    registry_runner, sed_effects, sed_is_pure, shell_c_argument, shell_script_operand, short_flags,
    trusted_startup_file, with_positionals, words_to_strings, wrapper_spec, Judge, Path, PathBuf,
    Risk, Word, DESTROY_DISK, ESCALATE, LOW, MEDIUM_BUILD, NETWORK, POWER, SECURITY_SERVICES,
    SYSTEM_DIRS,
};

impl Judge<'_> {
    #[expect(
        clippy::too_many_lines,
        reason = "the knowledge table reads best as one match"
    )]
    pub(super) fn argv(&mut self, argv: &[Word], depth: usize) {
        let Some(first) = argv.first() else { return };
        if let Some(top) = self.reached.last_mut().filter(|t| t.len() < 32) {
            top.push(argv.to_vec());
        }
        let Word::Literal(program) = first else {
            self.push(
                argv,
                Risk::High,
                format!("runs a program only known at run time (`{}`)", first.text()),
            );
            // What it may be: the values the script gives the variable,
            // its `${X:-default}`, the words of `$(echo …)`.
            if depth <= 8 {
                for words in self.program_candidates(first.text()) {
                    let mut inner: Vec<Word> = words.into_iter().map(Word::Literal).collect();
                    inner.extend(argv.iter().skip(1).cloned());
                    self.argv(&inner, depth + 1);
                }
            }
            return;
        };
        // `set -- A B C`: the positional parameters, for `"$@"`/`$1` used
        // as a program later.
        if program == "set" {
            if let Some(i) = argv.iter().position(|w| w.text() == "--") {
                let words: Vec<String> = argv
                    .iter()
                    .skip(i + 1)
                    .take(16)
                    .map(|w| w.text().to_owned())
                    .collect();
                if self.vars.len() < 256 {
                    for (n, w) in words.iter().enumerate() {
                        self.vars.push(((n + 1).to_string(), w.clone()));
                    }
                    self.vars.push(("@".into(), words.join(" ")));
                }
            }
        }
        // A name `hash -p` bound earlier runs the program it was bound to.
        if let Some((_, prog)) = self
            .rebinds
            .iter()
            .rev()
            .find(|(n, _)| n == program)
            .filter(|_| depth <= 8)
        {
            let mut inner = vec![Word::Literal(prog.clone())];
            inner.extend(argv.iter().skip(1).cloned());
            self.argv(&inner, depth + 1);
        }
        // `{rm,-rf,~}`: brace expansion makes the words of the command.
        if program.starts_with('{') && depth <= 8 {
            let words = brace_alternatives(program);
            if words.len() > 1 {
                let mut inner: Vec<Word> = words.into_iter().map(Word::Literal).collect();
                inner.extend(argv.iter().skip(1).cloned());
                self.argv(&inner, depth + 1);
                return;
            }
        }
        if depth > 8 {
            self.push(argv, Risk::High, "wrappers nested too deeply to analyse");
            return;
        }
        let name = basename(program);
        if program.contains(['*', '?'])
            || program
                .find('[')
                .is_some_and(|a| program[a..].contains(']'))
        {
            self.push(
                argv,
                Risk::High,
                format!("the program is chosen by a glob (`{program}`): it could be any program"),
            );
        }
        let args: Vec<String> = words_to_strings(argv.get(1..).unwrap_or_default());
        let rest = |n: usize| argv.get(n..).unwrap_or_default();
        let foreign = !is_system_program(program);
        if foreign {
            self.foreign_program(argv, program, name);
            self.runs_written(argv, program, "", depth);
        }
        if crate::knowledge::get().is_none() {
            self.push(
                argv,
                Risk::High,
                "rampart's program knowledge did not load; every command needs approval",
            );
        }
        self.runs_fetched_code(argv, name);
        if let Some((lang, code)) = crate::inline::code_in_argv(name, &args) {
            self.inline(argv, lang, &code);
        }

        let known = has(LOW, name)
            || has(MEDIUM_BUILD, name)
            || has(NETWORK, name)
            || matches!(
                name,
                "cargo"
                    | "git"
                    | "npm"
                    | "yarn"
                    | "pnpm"
                    | "pip"
                    | "pip3"
                    | "docker"
                    | "kubectl"
                    | "podman"
                    | "helm"
                    | "terraform"
            );
        if known
            && args.len() == 1
            && matches!(
                args.first().map(String::as_str),
                Some("--version" | "-V" | "--help" | "-h" | "version" | "help")
            )
        {
            self.push(
                argv,
                Risk::Low,
                format!("`{name}` prints its version or help"),
            );
            return;
        }
        if !matches!(
            name,
            "rm" | "echo"
                | "printf"
                | "test"
                | "["
                | "ls"
                | "stat"
                | "file"
                | "touch"
                | "mkdir"
                | "chmod"
                | "chown"
        ) && !has(ESCALATE, name)
            && !is_shell(name)
            && !matches!(
                name,
                "eval" | "source" | "." | "rampart" | "coproc" | "trap" | "alias"
            )
        {
            // An argument with spaces is a command or code string, not a
            // path: look for paths inside it, never treat it as one.
            let candidates: Vec<&str> = args
                .iter()
                .flat_map(|a| {
                    if a.contains(char::is_whitespace) {
                        a.split(|c: char| c.is_whitespace() || "'\"();,<>|&`".contains(c))
                            .filter(|t| {
                                t.starts_with('/') || t.starts_with('~') || t.starts_with("$HOME")
                            })
                            .collect::<Vec<_>>()
                    } else {
                        vec![a
                            .rsplit_once('@')
                            .filter(|_| a.contains("=@") || a.starts_with('@'))
                            .map_or(a.as_str(), |(_, p)| p)]
                    }
                })
                .collect();
            let creds: Vec<PathBuf> = candidates
                .into_iter()
                .map(|a| self.path(a))
                .filter(|p| self.is_credential(p))
                .collect();
            for p in creds {
                self.out.reads.push(p.clone());
                self.push(
                    argv,
                    Risk::High,
                    format!("reads the credential file `{}`", p.display()),
                );
            }
        }
        if let Some(o) = self
            .override_for(argv)
            .filter(|o| !foreign || o.0 >= Risk::Medium)
        {
            self.push(argv, o.0, o.1);
            if o.2 {
                return;
            }
        }
        if name != "git" && name != "npm" {
            self.options(argv, name, &args);
        }
        self.block_devices(argv, name, &args);
        if name == "go"
            && matches!(
                args.first().map(String::as_str),
                Some("install" | "get" | "run")
            )
        {
            if let Some(a) = args.iter().skip(1).find(|a| {
                !a.starts_with('-') && !a.starts_with('.') && !a.starts_with('/') && a.contains('.')
            }) {
                self.push(
                    argv,
                    Risk::High,
                    format!(
                        "`go {}` downloads and builds `{a}`: its code runs here",
                        args.first().map_or("", String::as_str)
                    ),
                );
            }
        }
        if let Some(k) = crate::knowledge::get() {
            let mut words = vec![name.to_owned()];
            words.extend(args.iter().cloned());
            if let Some(a) = k.remote_install(&words) {
                self.push(
                    argv,
                    Risk::High,
                    format!(
                        "`{name}` installs from `{a}`, a URL or git remote: its code runs here"
                    ),
                );
            }
        }
        if name.starts_with("python") {
            self.python_module(argv, &args, depth);
        }
        if let Some(f) = interpreter_script(name, &args) {
            self.runs_written(argv, f, name, depth);
            let p = self.path(f);
            if !self.inside(&p) && !self.downloads.contains(&p) {
                self.push(
                    argv,
                    Risk::High,
                    format!(
                        "`{name}` runs the script `{}`, from outside the workspace",
                        p.display()
                    ),
                );
            }
        }
        if matches!(name, "tar" | "bsdtar" | "gtar" | "unzip" | "7z" | "7za") {
            self.extract_dirs(argv, name, &args);
        }
        for f in archived_sources(name, &args) {
            let p = self.path(&f);
            self.out.reads.push(p);
        }
        if matches!(
            name,
            "let"
                | "declare"
                | "typeset"
                | "local"
                | "readonly"
                | "export"
                | "unset"
                | "read"
                | "mapfile"
                | "readarray"
                | "printf"
                | "test"
                | "["
                | "wait"
                | "getopts"
                | "shift"
                | "return"
                | "exit"
                | "ulimit"
                | "umask"
        ) {
            // Bash evaluates array subscripts and arithmetic in these
            // builtins' arguments: `let 'x[$(cmd)]'` runs cmd.
            let evaluated: Vec<&str> = if name == "printf" {
                option_values(&args, "-v").into_iter().flatten().collect()
            } else {
                args.iter()
                    .map(String::as_str)
                    .filter(|a| name == "let" || a.contains('['))
                    .collect()
            };
            for a in evaluated {
                if a.contains("$(") || a.contains('`') {
                    self.script(a, depth + 1);
                }
            }
        }
        if name == "gh"
            && args.first().is_some_and(|a| a == "auth")
            && args
                .iter()
                .any(|a| matches!(a.as_str(), "token" | "--show-token" | "-t"))
        {
            let hosts = self.path("~/.config/gh/hosts.yml");
            self.out.reads.push(hosts);
            self.push(argv, Risk::High, "`gh auth token` prints the GitHub token");
        }
        if matches!(name, "mapfile" | "readarray" | "compgen" | "complete") {
            // `-C CODE`: a callback run by the builtin (`compgen -C`
            // runs it at once).
            for code in option_values(&args, "-C").into_iter().flatten() {
                self.push(argv, Risk::Medium, format!("`{name} -C` runs a command"));
                self.script(code, depth + 1);
            }
        }
        if matches!(name, "node" | "nodejs" | "bun") {
            // `node -r FILE`/`--import FILE`: FILE runs before the program.
            for o in [
                "-r",
                "--require",
                "--import",
                "--loader",
                "--experimental-loader",
            ] {
                for f in option_values(&args, o).into_iter().flatten() {
                    let local = f.starts_with('.') || f.starts_with('/') || f.starts_with('~');
                    if !local {
                        continue;
                    }
                    let p = self.path(f);
                    if self.downloads.contains(&p) {
                        self.push(
                            argv,
                            Risk::Critical,
                            format!("`{name} {o}` runs `{f}`, which this command line downloaded"),
                        );
                    } else if !self.inside(&p) {
                        self.push(
                            argv,
                            Risk::High,
                            format!("`{name} {o}` runs `{f}`, from outside the workspace"),
                        );
                    }
                    self.runs_written(argv, f, name, depth);
                }
            }
        }
        if name == "openssl" && args.iter().any(|a| a == "s_client" || a == "s_server") {
            self.push(
                argv,
                Risk::High,
                "`openssl s_client`/`s_server` opens a network connection",
            );
        }
        if name == "patch" {
            // `patch FILE`, `patch -o OUT`: written; without a FILE the
            // diff names the files (judged by the sandbox).
            let mut outs: Vec<String> = option_values(&args, "-o")
                .into_iter()
                .chain(option_values(&args, "--output"))
                .flatten()
                .map(str::to_owned)
                .collect();
            let valued = [
                "-o",
                "--output",
                "-i",
                "--input",
                "-d",
                "--directory",
                "-p",
                "-r",
                "-B",
                "-D",
                "-F",
                "-V",
                "-Y",
                "-z",
                "--reject-file",
                "--prefix",
                "--suffix",
                "--basename-prefix",
            ];
            let mut it = args.iter();
            while let Some(a) = it.next() {
                if valued.contains(&a.as_str()) {
                    it.next();
                } else if !a.starts_with('-') {
                    outs.push(a.clone());
                    break;
                }
            }
            for o in outs {
                let (risk, why) = self.write_target(&o);
                self.push(argv, risk.max(Risk::Medium), format!("`patch` {why}"));
            }
        }
        if name == "cpio" {
            let flags = short_flags(&args);
            let extract = flags.contains('i') || args.iter().any(|a| a == "--extract");
            if extract && !args.iter().any(|a| a == "--no-absolute-filenames") {
                self.push(
                    argv,
                    Risk::High,
                    "`cpio -i` writes the paths the archive names, absolute ones included (no `--no-absolute-filenames`)",
                );
            }
        }
        if matches!(name, "tar" | "gtar" | "bsdtar")
            && (args.iter().any(|a| a == "--absolute-names")
                || args.first().is_some_and(|a| {
                    !a.starts_with("--")
                        && a.chars().all(|c| c.is_ascii_alphabetic() || c == '-')
                        && a.contains('P')
                })
                || args.iter().any(|a| {
                    a.starts_with('-')
                        && !a.starts_with("--")
                        && a.chars().skip(1).all(|c| c.is_ascii_alphabetic())
                        && a.contains('P')
                }))
        {
            self.push(
                argv,
                Risk::High,
                "`tar -P` keeps absolute paths: extracting writes wherever the archive says",
            );
        }
        if name == "sqlite3" {
            // `.shell CMD` / `.system CMD` among the SQL arguments.
            for a in args.iter().filter(|a| !a.starts_with('-')) {
                for line in a.lines() {
                    let line = line.trim();
                    if let Some(cmd) = line
                        .strip_prefix(".shell")
                        .or_else(|| line.strip_prefix(".system"))
                    {
                        self.push(argv, Risk::High, "`sqlite3 .shell` runs a shell command");
                        self.script(cmd, depth + 1);
                    }
                    // `.output FILE`, `.once FILE`, `.backup FILE`, `.save
                    // FILE`, `.log FILE` write FILE.
                    let mut words = line.split_whitespace();
                    if let (Some(dot), Some(file)) = (words.next(), words.next_back()) {
                        let writes =
                            matches!(dot, ".output" | ".once" | ".backup" | ".save" | ".log")
                                && !file.starts_with('-')
                                && !matches!(file, "stdout" | "stderr" | "off");
                        if writes {
                            let (risk, why) = self.write_target(file);
                            self.push(
                                argv,
                                risk.max(Risk::Medium),
                                format!("`sqlite3 {dot}` {why}"),
                            );
                        }
                    }
                }
            }
        }
        if name == "php" && args.iter().any(|a| a.starts_with("-S")) {
            self.push(
                argv,
                Risk::High,
                "serves files over HTTP: whatever it can read is exposed to the network",
            );
        }
        match name {
            // ---- wrappers: judge the wrapped command ----
            "env" => {
                // `-S STRING` / `--split-string=STRING` splits STRING into
                // the command to run: judge it as a command line.
                let mut i = 1;
                let mut split: Option<String> = None;
                let mut chdir: Option<Option<PathBuf>> = None;
                while let Some(w) = argv.get(i) {
                    let t = w.text();
                    if t == "-S" || t == "--split-string" {
                        split = Some(
                            argv.get(i + 1)
                                .map_or_else(String::new, |w| w.text().to_owned()),
                        );
                        i += 2;
                    } else if let Some(v) = t
                        .strip_prefix("--split-string=")
                        .or_else(|| t.strip_prefix("-S").filter(|v| !v.is_empty()))
                    {
                        split = Some(v.to_owned());
                        i += 1;
                    } else if t == "-C"
                        || t == "--chdir"
                        || t.starts_with("--chdir=")
                        || (t.starts_with("-C") && t.len() > 2)
                    {
                        // The command runs in DIR: relative paths are there
                        // (`-C DIR`, `-CDIR`, `--chdir DIR`, `--chdir=DIR`).
                        let attached = t
                            .strip_prefix("--chdir=")
                            .or_else(|| t.strip_prefix("-C").filter(|v| !v.is_empty()));
                        let dir = attached
                            .map(str::to_owned)
                            .or_else(|| argv.get(i + 1).and_then(Word::literal).map(str::to_owned));
                        chdir = Some(dir.map(|d| self.path(&d)));
                        i += if attached.is_some() { 1 } else { 2 };
                    } else if t == "-u" || t == "--unset" {
                        i += 2;
                    } else if t.starts_with('-') || (t.contains('=') && !t.starts_with('=')) {
                        if let Some((n, v)) = t.split_once('=').filter(|_| !t.starts_with('-')) {
                            self.env_assignment(n, v, "env");
                        }
                        i += 1;
                    } else {
                        break;
                    }
                }
                let saved = self.cwd.clone();
                if let Some(dir) = chdir {
                    self.cwd = dir;
                }
                if let Some(line) = split {
                    let tail: Vec<String> = words_to_strings(rest(i));
                    self.script(&format!("{line} {}", tail.join(" ")), depth + 1);
                    self.push(argv, Risk::Medium, "`env -S` runs a command line");
                } else if argv.len() > i {
                    self.argv(rest(i), depth + 1);
                } else {
                    self.push(argv, Risk::Low, "prints the environment");
                }
                self.cwd = saved;
            }
            "nice" | "nohup" | "stdbuf" | "ionice" | "time" | "setsid" | "unbuffer" | "chronic"
            | "caffeinate" | "flock" | "timeout" => {
                // Options (some take a value), then for `timeout` the
                // duration and for `flock` the lock file, then the command.
                let mut i = 1;
                while let Some(t) = argv.get(i).map(Word::text) {
                    if !t.starts_with('-') {
                        break;
                    }
                    // Which options take a value, per wrapper: a flag
                    // taken for a value would hide the command after it
                    // (`time -p rm …`, `setsid -c rm …`, `flock -n F rm …`).
                    let value: &[&str] = match name {
                        "nice" => &["-n", "--adjustment"],
                        "stdbuf" => &["-i", "-o", "-e"],
                        "ionice" => &["-c", "-n", "--class", "--classdata"],
                        "time" => &["-o", "-f", "--output", "--format"],
                        "caffeinate" => &["-t", "-w"],
                        "flock" => &["-w", "-E", "--timeout", "--conflict-exit-code"],
                        "timeout" => &["-s", "-k", "--signal", "--kill-after"],
                        _ => &[],
                    };
                    i += if value.contains(&t) { 2 } else { 1 };
                }
                if matches!(name, "timeout" | "flock") {
                    i += 1;
                }
                let flock_c = name == "flock"
                    && argv
                        .get(i)
                        .is_some_and(|w| matches!(w.text(), "-c" | "--command"));
                if flock_c {
                    // `flock FILE -c CMD`: CMD is a shell command line.
                    match argv.get(i + 1) {
                        Some(Word::Literal(src)) => {
                            let src = src.clone();
                            self.script(&src, depth + 1);
                            self.push(argv, Risk::Low, "`flock` runs a shell command line");
                        }
                        _ => self.push(
                            argv,
                            Risk::High,
                            "runs a shell script only known at run time",
                        ),
                    }
                } else if argv.len() > i {
                    self.argv(rest(i), depth + 1);
                } else {
                    self.push(argv, Risk::Low, format!("`{name}` without a command"));
                }
            }
            "command" | "builtin" | "exec" => {
                if argv.get(1).is_some_and(|w| matches!(w.text(), "-v" | "-V")) {
                    self.push(argv, Risk::Low, "looks a command up");
                } else if name == "exec" && argv.get(1).is_some_and(|w| w.text() == "-a") {
                    // `exec -a NAME cmd`: NAME is only argv[0]'s label.
                    let skip = 3 + argv
                        .iter()
                        .skip(3)
                        .take_while(|w| w.text().starts_with('-'))
                        .count();
                    if let Some(inner) = argv.get(skip..).filter(|r| !r.is_empty()) {
                        self.argv(inner, depth + 1);
                    }
                } else {
                    self.after_options(argv, depth);
                }
            }
            "busybox" | "toybox" => {
                if argv.len() > 1 {
                    self.argv(rest(1), depth + 1);
                }
            }
            "hash" => {
                if short_flags(&args).contains('p') {
                    self.push(
                        argv,
                        Risk::High,
                        "`hash -p` binds a command name to another program: later uses of the name run it",
                    );
                    // `hash -p PROG NAME…` / `hash -pPROG NAME…`: remembered.
                    let mut prog: Option<String> = None;
                    let mut it = args.iter();
                    while let Some(a) = it.next() {
                        if a == "-p" {
                            prog = it.next().cloned();
                        } else if let Some(p) = a.strip_prefix("-p").filter(|p| !p.is_empty()) {
                            prog = Some(p.to_owned());
                        } else if !a.starts_with('-') {
                            if let Some(p) = &prog {
                                if self.rebinds.len() < 64 {
                                    self.rebinds.push((a.clone(), p.clone()));
                                }
                            }
                        }
                    }
                } else {
                    self.push(argv, Risk::Low, "shows or resets the command lookup table");
                }
            }
            "enable" => {
                let loads = short_flags(&args).contains('f');
                let (risk, why) = if loads {
                    (
                        Risk::High,
                        "`enable -f` loads a shared object into the shell: unknown code",
                    )
                } else {
                    (Risk::Medium, "changes which shell builtins exist")
                };
                self.push(argv, risk, why);
            }
            "chrt" | "taskset" => {
                let pid_mode = args.iter().any(|a| {
                    a == "--pid" || (a.starts_with('-') && !a.starts_with("--") && a.contains('p'))
                });
                if pid_mode {
                    self.push(
                        argv,
                        Risk::Medium,
                        format!("`{name} -p` changes a running process"),
                    );
                } else {
                    let value = [
                        "-T",
                        "-P",
                        "-D",
                        "--sched-runtime",
                        "--sched-period",
                        "--sched-deadline",
                    ];
                    self.wrapped(argv, depth, &value, 1);
                }
            }
            "unshare" => {
                let value = [
                    "-S", "-G", "-R", "-w", "--setuid", "--setgid", "--root", "--wd",
                ];
                self.wrapped(argv, depth, &value, 0);
            }
            "nsenter" => {
                self.push(
                    argv,
                    Risk::High,
                    "`nsenter` enters another process's namespaces",
                );
                let value = ["-t", "--target", "-S", "-G", "--setuid", "--setgid"];
                self.wrapped(argv, depth, &value, 0);
            }
            "script" => self.script_recorder(argv, &args, depth),
            "sponge" | "ed" | "red" | "ex" => {
                // `sponge FILE` writes its input to FILE; `ed`/`ex FILE`
                // edit FILE in place.
                let append = name == "sponge" && args.iter().any(|a| a == "-a");
                let mut worst = (
                    Risk::Medium,
                    format!("`{name}` writes a file in the workspace"),
                );
                for f in args
                    .iter()
                    .filter(|a| !a.starts_with('-') && !a.starts_with('+'))
                {
                    let w = self.write_target_as(f, !append);
                    if w.0 > worst.0 {
                        worst = w;
                    }
                }
                if name == "ex" {
                    self.options(argv, "vim", &args);
                }
                self.push(argv, worst.0, worst.1);
            }
            "strace" | "ltrace" | "valgrind" | "perf" => {
                let value: &[&str] = match name {
                    "strace" => &[
                        "-o", "-e", "-p", "-s", "-u", "-E", "-O", "-a", "-b", "-I", "-P", "-X",
                        "-S",
                    ],
                    "ltrace" => &[
                        "-o", "-e", "-p", "-s", "-u", "-a", "-A", "-D", "-F", "-l", "-n", "-w",
                        "-x", "-E",
                    ],
                    "perf" => &[
                        "-o", "-e", "-p", "-t", "-c", "-F", "-C", "-G", "-x", "-I", "-r", "-u",
                        "--output", "--event", "--repeat",
                    ],
                    _ => &[],
                };
                // `perf stat|record|trace …`: the subcommand comes first.
                let start = usize::from(name == "perf");
                let sub = argv.get(start..).unwrap_or_default();
                self.push(
                    argv,
                    Risk::Medium,
                    format!("`{name}` traces the command it runs"),
                );
                if sub.len() > 1 {
                    self.wrapped(sub, depth, value, 0);
                }
            }
            "gdb" | "lldb" => {
                self.push(argv, Risk::Medium, format!("`{name}` debugs a program"));
                if let Some(i) = args.iter().position(|a| a == "--args" || a == "--") {
                    if argv.len() > i + 2 {
                        self.argv(rest(i + 2), depth + 1);
                    }
                }
            }
            "hyperfine" => {
                // Every operand (and `--prepare`/`--setup`/`--cleanup`
                // value) is a shell command line.
                self.push(argv, Risk::Medium, "`hyperfine` runs the commands it times");
                for a in args.iter().filter(|a| !a.starts_with('-')).take(32) {
                    self.script(a, depth + 1);
                }
            }
            "systemd-run" => {
                self.push(
                    argv,
                    Risk::High,
                    "`systemd-run` starts the command as a service, outside this process tree (and the sandbox)",
                );
                let value = [
                    "-u",
                    "--unit",
                    "-p",
                    "--property",
                    "-E",
                    "--setenv",
                    "-d",
                    "--description",
                    "--slice",
                    "-M",
                    "--machine",
                    "-H",
                    "--host",
                    "--uid",
                    "--gid",
                    "--working-directory",
                    "--on-calendar",
                    "--on-active",
                    "--on-boot",
                    "--on-startup",
                    "--on-unit-active",
                    "--on-unit-inactive",
                    "--timer-property",
                    "--path-property",
                    "--socket-property",
                    "--nice",
                    "--service-type",
                ];
                self.wrapped(argv, depth, &value, 0);
            }
            "tmux" | "screen" | "byobu" => {
                self.push(
                    argv,
                    Risk::High,
                    format!("`{name}` runs commands in a terminal server that may live outside the sandbox"),
                );
                if name == "screen" {
                    let value = ["-S", "-c", "-p", "-t", "-e", "-h", "-T", "-X", "-Logfile"];
                    if !args
                        .iter()
                        .any(|a| a == "-X" || a == "-r" || a == "-x" || a == "-ls")
                    {
                        self.wrapped(argv, depth, &value, 0);
                    }
                }
                // tmux: a command line is one word (`new -d 'CMD'`,
                // `send-keys 'CMD' Enter`, `run-shell 'CMD'`).
                for a in args
                    .iter()
                    .filter(|a| a.contains(char::is_whitespace))
                    .take(32)
                {
                    self.script(a, depth + 1);
                }
            }
            "parallel" => self.parallel(argv, &args, depth),
            "xe" => {
                if let Some(src) = option_values(&args, "-s").into_iter().flatten().next() {
                    self.script(src, depth + 1);
                }
                self.push(argv, Risk::Medium, "runs a command on every input line");
                let value = ["-f", "-j", "-n", "-I", "-s", "-N"];
                self.wrapped(argv, depth, &value, 0);
            }
            "setcap" => self.push(
                argv,
                Risk::High,
                "`setcap` changes the privileges (capabilities) a program runs with, like `chmod u+s`",
            ),
            "httpd" => self.push(
                argv,
                Risk::High,
                "serves files over HTTP: whatever it can read is exposed to the network",
            ),
            n if wrapper_spec(n, argv).is_some() => self.through(argv, n, depth),
            "xargs" => {
                let mut i = 1;
                while let Some(w) = argv.get(i) {
                    let t = w.text();
                    if !t.starts_with('-') {
                        break;
                    }
                    i += if matches!(
                        t,
                        "-n" | "-P"
                            | "-L"
                            | "-s"
                            | "-d"
                            | "-E"
                            | "-I"
                            | "-a"
                            | "--max-args"
                            | "--max-procs"
                            | "--max-chars"
                            | "--delimiter"
                            | "--arg-file"
                            | "--process-slot-var"
                    ) {
                        2
                    } else {
                        1
                    };
                }
                if argv.len() > i {
                    self.argv(rest(i), depth + 1);
                    self.push(argv, Risk::Medium, "runs a command on every input line");
                    let inner = rest(i).first().map_or("", |w| basename(w.text()));
                    // `xargs -I{} sh -c '{}'`, `xargs sh -c`: the input
                    // becomes the shell's script.
                    if is_shell(inner) {
                        let replace = option_values(&args, "-I")
                            .into_iter()
                            .flatten()
                            .next()
                            .or_else(|| args.iter().any(|a| a == "-i").then_some("{}"));
                        let input_is_script = match shell_c_argument(rest(i)) {
                            Some(Word::Literal(src)) => replace.is_some_and(|r| src.contains(r)),
                            Some(Word::Dynamic(_)) => false,
                            None => rest(i).iter().skip(1).any(|w| {
                                let t = w.text();
                                t.starts_with('-') && !t.starts_with("--") && t.contains('c')
                            }),
                        };
                        if input_is_script {
                            self.push(
                                argv,
                                Risk::High,
                                "`xargs` makes its input the script of a shell",
                            );
                        }
                    }
                    let recursive = short_flags(&words_to_strings(rest(i + 1)))
                        .contains(['r', 'R'])
                        || rest(i + 1).iter().any(|w| w.text() == "--recursive");
                    if inner == "rm" && recursive {
                        self.push(
                            argv,
                            Risk::High,
                            "`xargs rm -r` deletes trees only known at run time (its input)",
                        );
                    }
                } else {
                    self.push(argv, Risk::Low, "echoes its input");
                }
            }
            n if has(ESCALATE, n) => {
                self.push(argv, Risk::Critical, format!("`{n}` escalates privileges"));
                if n == "su" {
                    if let Some(i) = argv.iter().position(|w| w.text() == "-c") {
                        if let Some(Word::Literal(s)) = argv.get(i + 1) {
                            self.script(s, depth + 1);
                        }
                    }
                } else {
                    self.after_options(argv, depth);
                }
            }
            n if is_shell(n) => {
                if let Some(script) = shell_c_argument(argv) {
                    match script {
                        Word::Dynamic(_) => self.push(
                            argv,
                            Risk::High,
                            "runs a shell script only known at run time",
                        ),
                        // A shell reached through a wrapper (`nice sh -c`,
                        // `find -exec sh -c`, `xargs sh -c`): its script is
                        // analysed here; a script's own `sh -c` was
                        // expanded by the parser.
                        Word::Literal(src) if depth > 0 => {
                            let src = src.clone();
                            self.script(&src, depth + 1);
                        }
                        Word::Literal(_) => {}
                    }
                    // `sh -c 'SCRIPT' ARG0 ARG…`: the script with its
                    // positional parameters filled in (`sh -c '"$@"' _ rm
                    // -rf ~`, `sh -c 'eval "$1"' _ 'rm -rf ~'`).
                    if let Some(filled) = with_positionals(argv, script) {
                        self.script(&filled, depth + 1);
                    }
                    self.push(argv, Risk::Low, "runs a shell script");
                } else if reads_script_from_stdin(argv) {
                    self.push(
                        argv,
                        Risk::Medium,
                        "runs a shell reading commands from its input",
                    );
                } else {
                    let script = shell_script_operand(argv);
                    if let Some(s) = script.and_then(Word::literal) {
                        self.runs_written(argv, s, name, depth);
                    }
                    let (risk, why) = match script.and_then(Word::literal) {
                        Some(s) if self.downloads.contains(&self.path(s)) => (
                            Risk::Critical,
                            format!("runs `{s}`, which this command line downloaded"),
                        ),
                        Some(s) if self.inside(&self.path(s)) => {
                            (Risk::Medium, format!("runs the workspace script `{s}`"))
                        }
                        Some(s) => (
                            Risk::High,
                            format!("runs the script `{s}` from outside the workspace"),
                        ),
                        None => (Risk::High, "runs a script only known at run time".into()),
                    };
                    self.push(argv, risk, why);
                }
            }
            // ---- table ----
            "rampart" => self.rampart(argv, &args, depth),
            "coproc" => {
                // `coproc NAME { …; }` or `coproc cmd …`.
                let text = args.join(" ");
                // The parser splits `{ body; }` at the `;`: the body runs
                // from the `{` to a `}` or the end of the words.
                match text.find('{') {
                    Some(a) => {
                        let b = text.rfind('}').filter(|b| *b > a).unwrap_or(text.len());
                        let body = text.get(a + 1..b).unwrap_or_default().to_owned();
                        self.script(&body, depth + 1);
                        self.push(argv, Risk::Low, "`coproc` runs its body in the background");
                    }
                    None => self.after_options(argv, depth),
                }
            }
            "make" | "gmake" => self.make(argv, &args),
            "rm" | "unlink" | "shred" | "srm" => self.rm(argv, name, &args),
            "find" => self.find(argv, &args, depth),
            "git" => self.git(argv, &args),
            "cargo" => self.cargo(argv, &args),
            "npm" | "yarn" | "pnpm" | "bun" if !args.is_empty() => self.js(argv, name, &args),
            "npx" | "pnpx" | "bunx" => {
                for o in ["-c", "--call"] {
                    for v in option_values(&args, o).into_iter().flatten() {
                        let v = v.to_owned();
                        self.script(&v, depth + 1);
                    }
                }
                // A package spec, `create-*` or `--yes` means a download;
                // otherwise the workspace's own node_modules/.bin tool runs.
                let pkg = args
                    .iter()
                    .find(|a| !a.starts_with('-'))
                    .map_or("", String::as_str);
                let downloads = args
                    .iter()
                    .any(|a| matches!(a.as_str(), "-y" | "--yes" | "-p" | "--package"))
                    || pkg.contains('@')
                    || pkg.starts_with("create-")
                    || pkg.contains('/');
                if downloads {
                    self.push(argv, Risk::High, "downloads and runs a package");
                } else {
                    self.push(
                        argv,
                        Risk::Medium,
                        format!("`{name}` runs the workspace's `{pkg}`"),
                    );
                }
            }
            "watch" => {
                let mut i = 1;
                while let Some(t) = argv.get(i).map(Word::text) {
                    if !t.starts_with('-') {
                        break;
                    }
                    i += if matches!(t, "-n" | "--interval" | "-d" | "-q") && t != "-d" {
                        2
                    } else {
                        1
                    };
                }
                let script: Vec<String> = words_to_strings(rest(i));
                self.script(&script.join(" "), depth + 1);
                self.push(argv, Risk::Medium, "`watch` runs a command repeatedly");
            }
            "twine" | "gem" | "poetry" | "flit" | "hatch"
                if args
                    .iter()
                    .any(|a| matches!(a.as_str(), "upload" | "push" | "publish" | "yank")) =>
            {
                self.push(argv, Risk::High, format!("`{name}` publishes a package"));
            }
            "awk" | "gawk" | "mawk" => {
                let program = args.iter().find(|a| !a.starts_with('-'));
                let pure = !args
                    .iter()
                    .any(|a| a == "-f" || a.starts_with("--file") || a == "-i")
                    && program.is_some_and(|p| {
                        !["system", "|", ">", "getline", "close("]
                            .iter()
                            .any(|k| p.contains(k))
                    });
                let runs = program.is_some_and(|p| p.contains("system") || p.contains('|'));
                if pure {
                    self.push(argv, Risk::Low, "`awk` filters text");
                } else if runs {
                    self.push(
                        argv,
                        Risk::High,
                        "`awk` runs shell commands (`system()` or a pipe)",
                    );
                } else {
                    // What it writes (`print > "FILE"`) is judged by the
                    // inline analysis (crate::inline), which tells a
                    // redirection from a comparison.
                    self.push(
                        argv,
                        Risk::Medium,
                        "`awk` runs a program that may write or run commands",
                    );
                }
            }
            // `pipx run PKG`, `uvx PKG`, `uv tool run PKG`, `pnpm dlx PKG`,
            // `yarn dlx PKG`: a package downloaded from a registry and run,
            // like `npx -y PKG`.
            n if registry_runner(n, &args) => self.push(
                argv,
                Risk::High,
                format!("`{n}` downloads a package and runs it"),
            ),
            "pip" | "pip3" | "pipx" => {
                let sub = args
                    .iter()
                    .find(|a| !a.starts_with('-'))
                    .map_or("", String::as_str);
                match sub {
                    "install" | "download" | "uninstall"
                        if args
                            .iter()
                            .any(|a| a == "--user" || a == "--break-system-packages") =>
                    {
                        self.push(argv, Risk::High, "installs packages outside the workspace");
                    }
                    "install" | "download" | "uninstall" => {
                        self.push(argv, Risk::Medium, "installs packages");
                    }
                    "" | "list" | "show" | "freeze" | "check" | "--version" | "help" => {
                        self.push(argv, Risk::Low, "inspects packages");
                    }
                    _ => self.push(argv, Risk::Medium, "manages packages"),
                }
            }
            "apt" | "apt-get" | "dnf" | "yum" | "zypper" | "pacman" | "apk" | "brew" | "port"
            | "snap" | "flatpak" | "dpkg" | "rpm" => {
                let sub = args
                    .iter()
                    .find(|a| !a.starts_with('-'))
                    .map_or("", String::as_str);
                if matches!(
                    sub,
                    "list" | "search" | "show" | "info" | "policy" | "-l" | "-q" | ""
                ) || args.iter().any(|a| a == "-l" || a == "-q")
                {
                    self.push(argv, Risk::Low, "inspects system packages");
                } else {
                    self.push(argv, Risk::High, "changes system packages");
                }
            }
            "docker" | "podman" | "kubectl" | "helm" | "nerdctl" | "buildah" | "lxc" | "virsh"
            | "vagrant" | "terraform" | "pulumi" | "ansible" | "ansible-playbook" => {
                self.push(
                    argv,
                    Risk::High,
                    format!("`{name}` controls containers, clusters or infrastructure"),
                );
            }
            "chmod" | "chown" | "chgrp" | "chattr" | "setfacl" => self.chmod(argv, name, &args),
            "kill" | "pkill" | "killall" | "xkill" => {
                self.push(argv, Risk::High, "kills processes");
            }
            "crontab" | "at" | "batch" => {
                if args.iter().any(|a| a == "-l") {
                    self.push(argv, Risk::Low, "lists scheduled jobs");
                } else {
                    self.push(argv, Risk::High, "schedules commands to run later");
                }
            }
            "dd" => {
                let target = args.iter().find_map(|a| a.strip_prefix("of="));
                match target {
                    Some(t)
                        if self.path(t).starts_with("/dev")
                            && !matches!(t, "/dev/null" | "/dev/stdout") =>
                    {
                        self.push(
                            argv,
                            Risk::Critical,
                            format!("`dd` writes to the device `{t}`"),
                        );
                    }
                    Some(t) => {
                        let (r, why) = self.write_target(t);
                        self.push(argv, r.max(Risk::Medium), why);
                    }
                    None => self.push(argv, Risk::Medium, "copies data"),
                }
            }
            n if DESTROY_DISK
                .iter()
                .any(|d| n == *d || n.starts_with(&format!("{d}."))) =>
            {
                self.push(
                    argv,
                    Risk::Critical,
                    format!("`{n}` destroys file systems or disks"),
                );
            }
            n if has(POWER, n) => {
                self.push(argv, Risk::Critical, format!("`{n}` stops the machine"));
            }
            "systemctl" | "service" | "launchctl" => {
                let joined = args.join(" ");
                let stops = args
                    .iter()
                    .any(|a| matches!(a.as_str(), "stop" | "disable" | "mask" | "kill"));
                if stops && SECURITY_SERVICES.iter().any(|s| joined.contains(s)) {
                    self.push(argv, Risk::Critical, "disables a security control");
                } else if args.iter().any(|a| {
                    matches!(
                        a.as_str(),
                        "status" | "list-units" | "is-active" | "show" | "cat"
                    )
                }) {
                    self.push(argv, Risk::Low, "inspects services");
                } else {
                    self.push(argv, Risk::High, "changes system services");
                }
            }
            "setenforce"
                if args
                    .first()
                    .is_some_and(|a| a == "0" || a.eq_ignore_ascii_case("permissive")) =>
            {
                self.push(argv, Risk::Critical, "disables SELinux");
            }
            "ufw" if args.first().is_some_and(|a| a == "disable" || a == "reset") => {
                self.push(argv, Risk::Critical, "disables the firewall");
            }
            "iptables" | "ip6tables" | "nft" => {
                if args.iter().any(|a| {
                    matches!(a.as_str(), "-F" | "--flush" | "-X" | "flush")
                        || args.join(" ").contains("-P INPUT ACCEPT")
                }) {
                    self.push(argv, Risk::Critical, "disables the firewall");
                } else if args
                    .iter()
                    .any(|a| matches!(a.as_str(), "-L" | "-S" | "list"))
                {
                    self.push(argv, Risk::Low, "lists firewall rules");
                } else {
                    self.push(argv, Risk::High, "changes firewall rules");
                }
            }
            "mount" | "umount" | "swapon" | "swapoff" | "modprobe" | "insmod" | "rmmod"
            | "sysctl" | "hostnamectl" | "useradd" | "userdel" | "usermod" | "passwd"
            | "chpasswd" | "visudo" => {
                if name == "sysctl" && !args.iter().any(|a| a.contains('=') || a == "-w") {
                    self.push(argv, Risk::Low, "reads kernel settings");
                } else {
                    self.push(argv, Risk::High, format!("`{name}` changes the system"));
                }
            }
            "rsync" => {
                if args.iter().any(|a| {
                    !a.starts_with('-')
                        && (a.contains("::")
                            || a.split_once(':').is_some_and(|(h, _)| !h.contains('/')))
                }) {
                    self.net(argv, "rsync", &args);
                } else {
                    let dest = args.iter().rfind(|a| !a.starts_with('-')).cloned();
                    let mut worst = (Risk::Medium, "copies files".to_owned());
                    if let Some(d) =
                        dest.filter(|_| args.iter().filter(|a| !a.starts_with('-')).count() >= 2)
                    {
                        let p = self.path(&d);
                        if args
                            .iter()
                            .any(|a| a.starts_with("--delete") || a == "--remove-source-files")
                            && !self.inside(&p)
                            && !p.starts_with("/tmp")
                        {
                            worst = (
                                Risk::Critical,
                                format!("`rsync --delete` deletes whatever is not in the source from `{}`, outside the workspace", p.display()),
                            );
                        } else {
                            let w = self.write_target(&d);
                            if w.0 > worst.0 {
                                worst = w;
                            }
                        }
                    }
                    self.push(argv, worst.0, worst.1);
                }
            }
            n if has(NETWORK, n) => self.net(argv, n, &args),
            "sed" | "perl" | "ruby"
                if args.iter().any(|a| {
                    a == "-i"
                        || (a.starts_with("-i") && !a.starts_with("--"))
                        || a.starts_with("--in-place")
                        // Bundled: `perl -pi -e`, `sed -Ei`.
                        || (a.starts_with('-')
                            && !a.starts_with("--")
                            && a.len() <= 4
                            && a.chars().skip(1).all(|c| c.is_ascii_alphabetic())
                            && a.contains('i'))
                }) =>
            {
                let files: Vec<String> = args
                    .iter()
                    .skip(1)
                    .filter(|a| !a.starts_with('-'))
                    .cloned()
                    .collect();
                let mut worst = (Risk::Medium, "edits files in place".to_owned());
                for f in files {
                    let w = self.write_target(&f);
                    if w.0 > worst.0 {
                        worst = w;
                    }
                }
                self.push(argv, worst.0, worst.1);
            }
            "sed" => {
                let scripts: Vec<&String> = {
                    let mut v = Vec::new();
                    let mut it = args.iter().peekable();
                    let mut explicit = false;
                    while let Some(a) = it.next() {
                        if a == "-e" || a == "--expression" {
                            explicit = true;
                            v.extend(it.next());
                        } else if a == "-f" || a == "--file" {
                            explicit = true;
                            v.clear();
                            break;
                        }
                    }
                    if !explicit {
                        v.extend(args.iter().find(|a| !a.starts_with('-')));
                    }
                    v
                };
                if !scripts.is_empty() && scripts.iter().all(|s| sed_is_pure(s)) {
                    self.push(argv, Risk::Low, "`sed` filters text");
                } else if !scripts.is_empty() {
                    self.push(
                        argv,
                        Risk::High,
                        "`sed` runs a script that writes files or runs commands (`e`, `w`, `r`)",
                    );
                    // What the script writes (`w FILE`, `s/a/b/w FILE`) and
                    // runs (`e CMD`) is judged as such.
                    for sc in scripts.iter().take(8) {
                        let (writes, runs) = sed_effects(sc);
                        for w in writes {
                            let (risk, why) = self.write_target(&w);
                            self.push(argv, risk, format!("`sed` {why}"));
                        }
                        for r in runs {
                            self.script(&r, depth + 1);
                        }
                    }
                } else if let Some(f) = option_values(&args, "-f")
                    .into_iter()
                    .chain(option_values(&args, "--file"))
                    .flatten()
                    .find(|f| !self.inside(&self.path(f)))
                {
                    let p = self.path(f);
                    self.push(
                        argv,
                        Risk::High,
                        format!("`sed` runs the script `{}`, from outside the workspace (it may write files or run commands)", p.display()),
                    );
                } else {
                    self.push(
                        argv,
                        Risk::Medium,
                        "`sed` runs a script that may write files or run commands",
                    );
                }
            }
            "python" | "python3" | "node" | "ruby" | "perl" | "php" | "deno" | "lua"
                if args.first().is_some_and(|a| {
                    matches!(a.as_str(), "-c" | "-e" | "--eval" | "-E" | "-p")
                }) =>
            {
                self.push(argv, Risk::Medium, "runs inline code");
            }
            "cp" | "mv" | "ln" | "install" | "tee" | "touch" | "mkdir" | "truncate" => {
                // `-t DIR` / `--target-directory=DIR`: every operand lands in DIR.
                let target_dir: Option<String> = ["-t", "--target-directory"]
                    .iter()
                    .flat_map(|o| option_values(&args, o))
                    .flatten()
                    .next()
                    .filter(|_| matches!(name, "cp" | "mv" | "ln" | "install"))
                    .map(str::to_owned);
                let in_dir: Vec<String> = target_dir.as_ref().map_or_else(Vec::new, |d| {
                    let ops: Vec<&String> = args
                        .iter()
                        .filter(|a| !a.starts_with('-') && *a != d)
                        .collect();
                    let mut v: Vec<String> =
                        ops.iter().map(|o| format!("{d}/{}", basename(o))).collect();
                    v.push(d.clone());
                    v
                });
                let targets: Vec<&String> = match name {
                    _ if target_dir.is_some() => in_dir.iter().collect(),
                    "cp" | "mv" | "ln" | "install" => args
                        .iter()
                        .rfind(|a| !a.starts_with('-'))
                        .into_iter()
                        .collect(),
                    _ => args.iter().filter(|a| !a.starts_with('-')).collect(),
                };
                let mut worst = (
                    Risk::Medium,
                    format!("`{name}` changes files in the workspace"),
                );
                let append = name == "tee" && args.iter().any(|a| a == "-a" || a == "--append");
                let overwrite = !append && !matches!(name, "mkdir" | "touch");
                // `cp x ~/.{bashrc,zshrc}`: every alternative is written.
                for t in targets.iter().flat_map(|t| brace_alternatives(t)) {
                    let w = self.write_target_as(&t, overwrite);
                    if w.0 > worst.0 {
                        worst = w;
                    }
                }
                // `cp -s`/`-l` (`--symbolic-link`/`--link`) make links like `ln`.
                let cp_links = name == "cp"
                    && (short_flags(&args).contains(['s', 'l'])
                        || args
                            .iter()
                            .any(|a| a == "--symbolic-link" || a == "--link"));
                if name == "ln" || cp_links {
                    self.record_links(&args, target_dir.as_deref());
                }
                if name == "mv" {
                    let sources: Vec<&String> =
                        args.iter().filter(|a| !a.starts_with('-')).collect();
                    for src in sources.iter().take(sources.len().saturating_sub(1)) {
                        let p = self.path(src);
                        let root_like = SYSTEM_DIRS.iter().any(|d| p == Path::new(d))
                            || self.ctx.home.is_some_and(|h| p == h || h.starts_with(&p))
                            || crate::knowledge::get()
                                .is_none_or(|k| k.critical_file(&p, self.ctx.home));
                        if root_like && !self.inside(&p) {
                            worst = (
                                Risk::Critical,
                                format!("moves `{}` away (a system path, the home directory or a file logins depend on)", p.display()),
                            );
                        } else if !self.inside(&p) && !p.starts_with("/tmp") && worst.0 < Risk::High
                        {
                            worst = (
                                Risk::High,
                                format!("moves `{}`, outside the workspace", p.display()),
                            );
                        }
                    }
                }
                // A target only known at run time could be anywhere.
                let dynamic_target = match name {
                    "cp" | "mv" | "ln" | "install" => argv
                        .iter()
                        .skip(1)
                        .rfind(|w| !w.text().starts_with('-'))
                        .is_some_and(|w| w.literal().is_none()),
                    _ => argv.iter().skip(1).any(|w| w.literal().is_none()),
                };
                if dynamic_target && worst.0 < Risk::High {
                    worst = (
                        Risk::High,
                        format!("`{name}` writes to a path only known at run time"),
                    );
                }
                if matches!(name, "cp" | "mv") {
                    for a in args.iter().filter(|a| !a.starts_with('-')) {
                        if let Some(r) = self.read_target(a) {
                            if r.0 > worst.0 {
                                worst = r;
                            }
                        }
                    }
                }
                self.push(argv, worst.0, worst.1);
            }
            n if has(LOW, n) => {
                let mut worst = (Risk::Low, format!("`{n}` only reads"));
                if matches!(
                    n,
                    "cat"
                        | "head"
                        | "tail"
                        | "less"
                        | "more"
                        | "grep"
                        | "rg"
                        | "strings"
                        | "xxd"
                        | "od"
                        | "hexdump"
                        | "bat"
                        | "base64"
                ) {
                    for a in args.iter().filter(|a| !a.starts_with('-')) {
                        if let Some(r) = self.read_target(a) {
                            worst = r;
                        }
                    }
                }
                if n == "history" && args.iter().any(|a| a == "-c" || a == "-w") {
                    worst = (Risk::High, "erases the shell history".into());
                }
                // `uniq IN OUT`, `xxd IN OUT`: the second operand is written.
                if matches!(n, "uniq" | "xxd") {
                    let mut ops: Vec<&String> = Vec::new();
                    let mut it = args.iter();
                    while let Some(a) = it.next() {
                        if matches!(
                            a.as_str(),
                            "-l" | "-s"
                                | "-c"
                                | "-g"
                                | "-o"
                                | "-n"
                                | "-f"
                                | "-w"
                                | "-len"
                                | "-seek"
                                | "-cols"
                        ) {
                            it.next();
                        } else if !a.starts_with('-') || a == "-" {
                            ops.push(a);
                        }
                    }
                    if let Some(out) = ops.get(1).filter(|o| o.as_str() != "-") {
                        let w = self.write_target(out);
                        if w.0 > worst.0 {
                            worst = w;
                        }
                    }
                }
                if matches!(n, "less" | "more" | "man")
                    && args
                        .iter()
                        .any(|a| a.starts_with('+') && (a.contains('!') || a.contains('|')))
                {
                    worst = (Risk::High, format!("`{n} +!…` runs a shell command"));
                }

                self.push(argv, worst.0, worst.1);
            }
            "base64" | "gpg" | "openssl" | "zip"
                if args.iter().any(|a| is_credential_path(&self.path(a))) =>
            {
                self.push(argv, Risk::High, "reads credential files");
            }
            n if has(MEDIUM_BUILD, n) => self.push(
                argv,
                Risk::Medium,
                format!("`{n}` builds, tests, formats or runs code in the workspace"),
            ),
            "eval" if argv.len() > 1 && argv.iter().all(|w| w.literal().is_some()) => {
                // The parser analysed the literal string as a script.
                self.push(
                    argv,
                    Risk::Medium,
                    "`eval` runs a string as code in the current shell (analysed as a script)",
                );
            }
            "bind" => {
                let bound: Vec<String> = option_values(&args, "-x")
                    .into_iter()
                    .flatten()
                    .map(bound_command)
                    .collect();
                if bound.is_empty() {
                    self.push(argv, Risk::Low, "`bind` changes key bindings");
                }
                for c in bound {
                    self.push(
                        argv,
                        Risk::Medium,
                        format!("`bind -x` makes a key run `{c}` (its code is analysed)"),
                    );
                    self.script(&c, depth + 1);
                }
            }
            "trap" => {
                self.push(
                    argv,
                    Risk::Low,
                    "`trap` sets a handler (its code is analysed)",
                );
            }
            n if self.functions.iter().any(|f| f == n) && depth == 0 => {
                self.push(
                    argv,
                    Risk::Low,
                    format!(
                        "calls the function `{n}` defined in the script (its body is analysed)"
                    ),
                );
            }
            "eval" | "source" | "." => {
                let mut worst = (
                    Risk::Medium,
                    format!("`{name}` runs code in the current shell"),
                );
                if let Some(f) = args.first() {
                    if name != "eval" {
                        self.runs_written(argv, f, name, depth);
                    }
                    if let Some(r) = self.read_target(f) {
                        worst = r;
                    }
                    if name != "eval" && worst.0 < Risk::High {
                        let p = self.path(f);
                        if !self.inside(&p) && !trusted_startup_file(&p, self.ctx.home) {
                            worst = (
                                Risk::High,
                                format!("`{name}` runs `{}`, from outside the workspace", p.display()),
                            );
                        }
                    }
                    if name != "eval" && self.downloads.contains(&self.path(f)) {
                        worst = (
                            Risk::Critical,
                            format!("`{name}` runs `{f}`, which this command line downloaded"),
                        );
                    }
                }
                if name != "eval"
                    && argv.get(1).is_some_and(|w| w.literal().is_none())
                    && worst.0 < Risk::High
                {
                    worst = (
                        Risk::High,
                        format!("`{name}` runs a file only known at run time"),
                    );
                }
                self.push(argv, worst.0, worst.1);
            }
            _ => self.push(
                argv,
                Risk::Medium,
                format!("`{name}` is not in the risk table"),
            ),
        }
    }
}
