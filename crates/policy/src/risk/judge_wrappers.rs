//! Wrappers judged by what they run: `env`, `nice`/`timeout`/`flock`…,
//! `command`/`exec`, `chrt`, `nsenter`, tracers and debuggers,
//! `hyperfine`, `systemd-run`, terminal servers, `xe`, `xargs`, `watch`.
//! Which of their options take a value is data in `wrappers`.

use super::{
    basename, is_shell, option_values, shell_c_argument, short_flags, valued_options, words_from,
    words_to_strings, Judge, PathBuf, Risk, Word,
};

impl Judge<'_> {
    /// `env [-S LINE] [-C DIR] [NAME=V…] CMD…`: the command, run in DIR
    /// with those variables; `-S` splits LINE into the command.
    pub(super) fn env(&mut self, argv: &[Word], depth: usize) {
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
            let tail: Vec<String> = words_to_strings(words_from(argv, i));
            self.script(&format!("{line} {}", tail.join(" ")), depth + 1);
            self.push(argv, Risk::Medium, "`env -S` runs a command line");
        } else if argv.len() > i {
            self.argv(words_from(argv, i), depth + 1);
        } else {
            self.push(argv, Risk::Low, "prints the environment");
        }
        self.cwd = saved;
    }

    /// `nice`, `nohup`, `timeout`, `flock`…: options (some take a value),
    /// then for `timeout` the duration and for `flock` the lock file, then
    /// the command.
    pub(super) fn plain_wrapper(&mut self, argv: &[Word], name: &str, depth: usize) {
        let mut i = 1;
        while let Some(t) = argv.get(i).map(Word::text) {
            if !t.starts_with('-') {
                break;
            }
            i += if valued_options(name).contains(&t) {
                2
            } else {
                1
            };
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
            self.argv(words_from(argv, i), depth + 1);
        } else {
            self.push(argv, Risk::Low, format!("`{name}` without a command"));
        }
    }

    /// `command`, `builtin`, `exec [-a NAME]`: the command they run.
    pub(super) fn command_builtin(&mut self, argv: &[Word], name: &str, depth: usize) {
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

    /// `chrt`/`taskset`: `-p` changes a running process, else a command.
    pub(super) fn chrt(&mut self, argv: &[Word], name: &str, args: &[String], depth: usize) {
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
            self.wrapped(argv, depth, valued_options(name), 1);
        }
    }

    /// `nsenter`: enters another process's namespaces, then runs a command.
    pub(super) fn nsenter(&mut self, argv: &[Word], depth: usize) {
        self.push(
            argv,
            Risk::High,
            "`nsenter` enters another process's namespaces",
        );
        self.wrapped(argv, depth, valued_options("nsenter"), 0);
    }

    /// `strace`, `ltrace`, `valgrind`, `perf`: trace the command they run.
    pub(super) fn tracer(&mut self, argv: &[Word], name: &str, depth: usize) {
        let value = valued_options(name);
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

    /// `gdb`/`lldb [--args] PROG ARGS`: debug a program they run.
    pub(super) fn debugger(&mut self, argv: &[Word], name: &str, args: &[String], depth: usize) {
        self.push(argv, Risk::Medium, format!("`{name}` debugs a program"));
        if let Some(i) = args.iter().position(|a| a == "--args" || a == "--") {
            if argv.len() > i + 2 {
                self.argv(words_from(argv, i + 2), depth + 1);
            }
        }
    }

    /// `hyperfine`: every operand (and `--prepare`/`--setup`/`--cleanup`
    /// value) is a shell command line.
    pub(super) fn hyperfine(&mut self, argv: &[Word], args: &[String], depth: usize) {
        self.push(argv, Risk::Medium, "`hyperfine` runs the commands it times");
        for a in args.iter().filter(|a| !a.starts_with('-')).take(32) {
            self.script(a, depth + 1);
        }
    }

    /// `systemd-run`: a service, outside this process tree.
    pub(super) fn systemd_run(&mut self, argv: &[Word], depth: usize) {
        self.push(
                    argv,
                    Risk::High,
                    "`systemd-run` starts the command as a service, outside this process tree (and the sandbox)",
                );
        self.wrapped(argv, depth, valued_options("systemd-run"), 0);
    }

    /// `tmux`, `screen`, `byobu`: a terminal server that may live outside
    /// the sandbox, and the command lines given to it.
    pub(super) fn terminal_server(
        &mut self,
        argv: &[Word],
        name: &str,
        args: &[String],
        depth: usize,
    ) {
        self.push(
            argv,
            Risk::High,
            format!(
                "`{name}` runs commands in a terminal server that may live outside the sandbox"
            ),
        );
        if name == "screen"
            && !args
                .iter()
                .any(|a| a == "-X" || a == "-r" || a == "-x" || a == "-ls")
        {
            self.wrapped(argv, depth, valued_options("screen"), 0);
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

    /// `xe [-s SCRIPT] CMD`: the command on every input line.
    pub(super) fn xe(&mut self, argv: &[Word], args: &[String], depth: usize) {
        if let Some(src) = option_values(args, "-s").into_iter().flatten().next() {
            self.script(src, depth + 1);
        }
        self.push(argv, Risk::Medium, "runs a command on every input line");
        self.wrapped(argv, depth, valued_options("xe"), 0);
    }

    /// `xargs [opts] CMD`: the command on every input line; a shell whose
    /// script is the input, `rm -r` of trees only known at run time.
    pub(super) fn xargs(&mut self, argv: &[Word], args: &[String], depth: usize) {
        let mut i = 1;
        while let Some(w) = argv.get(i) {
            let t = w.text();
            if !t.starts_with('-') {
                break;
            }
            i += if valued_options("xargs").contains(&t) {
                2
            } else {
                1
            };
        }
        if argv.len() > i {
            self.xargs_runs(argv, args, i, depth);
        } else {
            self.push(argv, Risk::Low, "echoes its input");
        }
    }

    fn xargs_runs(&mut self, argv: &[Word], args: &[String], i: usize, depth: usize) {
        self.argv(words_from(argv, i), depth + 1);
        self.push(argv, Risk::Medium, "runs a command on every input line");
        let inner = words_from(argv, i)
            .first()
            .map_or("", |w| basename(w.text()));
        // `xargs -I{} sh -c '{}'`, `xargs sh -c`: the input
        // becomes the shell's script.
        if is_shell(inner) {
            let replace = option_values(args, "-I")
                .into_iter()
                .flatten()
                .next()
                .or_else(|| args.iter().any(|a| a == "-i").then_some("{}"));
            let input_is_script = match shell_c_argument(words_from(argv, i)) {
                Some(Word::Literal(src)) => replace.is_some_and(|r| src.contains(r)),
                Some(Word::Dynamic(_)) => false,
                None => words_from(argv, i).iter().skip(1).any(|w| {
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
        let recursive = short_flags(&words_to_strings(words_from(argv, i + 1)))
            .contains(['r', 'R'])
            || words_from(argv, i + 1)
                .iter()
                .any(|w| w.text() == "--recursive");
        if inner == "rm" && recursive {
            self.push(
                argv,
                Risk::High,
                "`xargs rm -r` deletes trees only known at run time (its input)",
            );
        }
    }

    /// `watch [opts] CMD`: CMD run again and again.
    pub(super) fn watch(&mut self, argv: &[Word], depth: usize) {
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
        let script: Vec<String> = words_to_strings(words_from(argv, i));
        self.script(&script.join(" "), depth + 1);
        self.push(argv, Risk::Medium, "`watch` runs a command repeatedly");
    }
}
