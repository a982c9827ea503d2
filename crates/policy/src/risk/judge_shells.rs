//! The shell's own words: a program only known at run time, `set --`,
//! names rebound by `hash -p`, brace expansion, escalation, shells and
//! their scripts, `coproc`, builtins that evaluate code (`let`, `bind
//! -x`, `mapfile -C`), `eval`/`source`.

use super::{
    bound_command, brace_alternatives, has, option_values, reads_script_from_stdin,
    shell_c_argument, shell_script_operand, short_flags, trusted_startup_file, with_positionals,
    Judge, Risk, Word, EVALUATING_BUILTINS,
};

impl Judge<'_> {
    /// A program only known at run time (`$X args`): high, and judged as
    /// each value the script may give it.
    pub(super) fn dynamic_program(&mut self, argv: &[Word], first: &Word, depth: usize) {
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
    }

    /// `set -- A B C`: the positional parameters, for `"$@"`/`$1` used
    /// as a program later.
    pub(super) fn set_positionals(&mut self, argv: &[Word], program: &str) {
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
    }

    /// A name `hash -p` bound earlier runs the program it was bound to.
    pub(super) fn rebound(&mut self, argv: &[Word], program: &str, depth: usize) {
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
    }

    /// `{rm,-rf,~}`: brace expansion makes the words of the command.
    /// Whether it did (the expanded command was judged instead).
    pub(super) fn brace_words(&mut self, argv: &[Word], program: &str, depth: usize) -> bool {
        if program.starts_with('{') && depth <= 8 {
            let words = brace_alternatives(program);
            if words.len() > 1 {
                let mut inner: Vec<Word> = words.into_iter().map(Word::Literal).collect();
                inner.extend(argv.iter().skip(1).cloned());
                self.argv(&inner, depth + 1);
                return true;
            }
        }
        false
    }

    /// `hash -p PROG NAME`: NAME runs PROG from now on.
    pub(super) fn hash(&mut self, argv: &[Word], args: &[String]) {
        if short_flags(args).contains('p') {
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

    /// `enable`: changes the builtins, `-f` loads a shared object.
    pub(super) fn enable(&mut self, argv: &[Word], args: &[String]) {
        let loads = short_flags(args).contains('f');
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

    /// `sudo`, `su`, `doas`…: critical, and judged as what they run.
    pub(super) fn escalate(&mut self, argv: &[Word], n: &str, depth: usize) {
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

    /// A shell: its `-c` script, its script from the input, or a script file.
    pub(super) fn shell(&mut self, argv: &[Word], name: &str, depth: usize) {
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

    /// `coproc NAME { …; }` or `coproc cmd …`.
    pub(super) fn coproc(&mut self, argv: &[Word], args: &[String], depth: usize) {
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

    /// Bash evaluates array subscripts and arithmetic in some builtins'
    /// arguments: `let 'x[$(cmd)]'` runs cmd.
    pub(super) fn evaluated_subscripts(&mut self, name: &str, args: &[String], depth: usize) {
        if !has(EVALUATING_BUILTINS, name) {
            return;
        }
        let evaluated: Vec<&str> = if name == "printf" {
            option_values(args, "-v").into_iter().flatten().collect()
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

    /// `mapfile -C CODE`, `compgen -C CODE`: a callback run by the
    /// builtin (`compgen -C` runs it at once).
    pub(super) fn builtin_callback(
        &mut self,
        argv: &[Word],
        name: &str,
        args: &[String],
        depth: usize,
    ) {
        if matches!(name, "mapfile" | "readarray" | "compgen" | "complete") {
            // `-C CODE`: a callback run by the builtin (`compgen -C`
            // runs it at once).
            for code in option_values(args, "-C").into_iter().flatten() {
                self.push(argv, Risk::Medium, format!("`{name} -C` runs a command"));
                self.script(code, depth + 1);
            }
        }
    }

    /// `bind -x 'KEY: CMD'`: a key runs CMD.
    pub(super) fn bind(&mut self, argv: &[Word], args: &[String], depth: usize) {
        let bound: Vec<String> = option_values(args, "-x")
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

    /// `eval`, `source FILE`, `. FILE`: code run in the current shell.
    pub(super) fn source(&mut self, argv: &[Word], name: &str, args: &[String], depth: usize) {
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
                        format!(
                            "`{name}` runs `{}`, from outside the workspace",
                            p.display()
                        ),
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
}
