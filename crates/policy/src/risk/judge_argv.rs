//! The judgement of one argv. [`Judge::argv`] reads as the order of the
//! checks: what the program is (run-time, rebound, brace-expanded, a glob,
//! foreign), the findings any program may carry (credential operands, user
//! overrides, options, code it loads), then the program's own arm. The
//! arms are tried in one fixed order, the first that claims the program
//! judging it ([`Judge::program`], then [`Judge::tool_or_system`], then
//! [`Judge::file_or_builtin`]); their bodies live with their family:
//! `judge_wrappers`, `judge_shells`, `judge_files`, `judge_writes`,
//! `judge_tools`, `judge_system`, `judge_network`, `judge_interpreters`,
//! `judge_git`, `judge_programs`.

use super::{
    basename, destroys_disks, edits_in_place, has, is_credential_path, is_shell, is_system_program,
    registry_runner, valued_options, words_to_strings, wrapper_spec, Judge, PathBuf, Risk, Word,
    ESCALATE, INFRASTRUCTURE, KNOWN_FOR_VERSION, LOW, MEDIUM_BUILD, NETWORK, NOT_PATH_OPERANDS,
    POWER, PROCESS_KILLERS, SYSTEM_CHANGERS, SYSTEM_PACKAGERS,
};

impl Judge<'_> {
    /// Judges one simple command (`depth`: how many wrappers deep), adding
    /// its parts, reads, writes and hosts to the analysis.
    pub(super) fn argv(&mut self, argv: &[Word], depth: usize) {
        let Some(first) = argv.first() else { return };
        if let Some(top) = self.reached.last_mut().filter(|t| t.len() < 32) {
            top.push(argv.to_vec());
        }
        let Word::Literal(program) = first else {
            self.dynamic_program(argv, first, depth);
            return;
        };
        self.set_positionals(argv, program);
        self.rebound(argv, program, depth);
        if self.brace_words(argv, program, depth) {
            return;
        }
        if depth > 8 {
            self.push(argv, Risk::High, "wrappers nested too deeply to analyse");
            return;
        }
        let name = basename(program);
        let args: Vec<String> = words_to_strings(argv.get(1..).unwrap_or_default());
        let foreign = self.program_kind(argv, program, name, &args, depth);
        if self.version_or_help(argv, name, &args) {
            return;
        }
        if !has(NOT_PATH_OPERANDS, name) && !has(ESCALATE, name) && !is_shell(name) {
            self.credential_operands(argv, &args);
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
        self.program_findings(argv, name, &args, depth);
        self.program(argv, name, &args, depth);
    }

    /// What the program is: a glob, a program from outside the system's
    /// directories, one that runs fetched or inline code. Whether it is
    /// foreign.
    fn program_kind(
        &mut self,
        argv: &[Word],
        program: &str,
        name: &str,
        args: &[String],
        depth: usize,
    ) -> bool {
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
        if let Some((lang, code)) = crate::inline::code_in_argv(name, args) {
            self.inline(argv, lang, &code);
        }
        foreign
    }

    /// `--version`/`--help` of a known program: it prints and exits.
    fn version_or_help(&mut self, argv: &[Word], name: &str, args: &[String]) -> bool {
        let known = has(LOW, name)
            || has(MEDIUM_BUILD, name)
            || has(NETWORK, name)
            || has(KNOWN_FOR_VERSION, name);
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
            return true;
        }
        false
    }

    /// Credential files among the operands (`cat ~/.aws/credentials`,
    /// `curl -d @~/.netrc`).
    fn credential_operands(&mut self, argv: &[Word], args: &[String]) {
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

    /// The findings that do not depend on the program's arm: code it
    /// downloads or loads, archives, builtins that evaluate code, tokens it
    /// prints, files its options or dot-commands write. In this order.
    fn program_findings(&mut self, argv: &[Word], name: &str, args: &[String], depth: usize) {
        self.go_get(argv, name, args);
        self.remote_install(argv, name, args);
        if name.starts_with("python") {
            self.python_module(argv, args, depth);
        }
        self.interpreter_file(argv, name, args, depth);
        self.archive_reads(argv, name, args);
        self.evaluated_subscripts(name, args, depth);
        self.gh_auth_token(argv, name, args);
        self.builtin_callback(argv, name, args, depth);
        self.node_preload(argv, name, args, depth);
        self.openssl_connects(argv, name, args);
        if name == "patch" {
            self.patch(argv, args);
        }
        self.absolute_extract(argv, name, args);
        if name == "sqlite3" {
            self.sqlite_dot_commands(argv, args, depth);
        }
        if name == "php" && args.iter().any(|a| a.starts_with("-S")) {
            self.serves_files(argv);
        }
    }

    /// The program's own arm, first part: wrappers (judged by what they
    /// run), privilege escalation, shells.
    fn program(&mut self, argv: &[Word], name: &str, args: &[String], depth: usize) {
        match name {
            "env" => self.env(argv, depth),
            "nice" | "nohup" | "stdbuf" | "ionice" | "time" | "setsid" | "unbuffer" | "chronic"
            | "caffeinate" | "flock" | "timeout" => self.plain_wrapper(argv, name, depth),
            "command" | "builtin" | "exec" => self.command_builtin(argv, name, depth),
            "busybox" | "toybox" => {
                if argv.len() > 1 {
                    self.argv(argv.get(1..).unwrap_or_default(), depth + 1);
                }
            }
            "hash" => self.hash(argv, args),
            "enable" => self.enable(argv, args),
            "chrt" | "taskset" => self.chrt(argv, name, args, depth),
            "unshare" => self.wrapped(argv, depth, valued_options("unshare"), 0),
            "nsenter" => self.nsenter(argv, depth),
            "script" => self.script_recorder(argv, args, depth),
            "sponge" | "ed" | "red" | "ex" => self.edit(argv, name, args),
            "strace" | "ltrace" | "valgrind" | "perf" => self.tracer(argv, name, depth),
            "gdb" | "lldb" => self.debugger(argv, name, args, depth),
            "hyperfine" => self.hyperfine(argv, args, depth),
            "systemd-run" => self.systemd_run(argv, depth),
            "tmux" | "screen" | "byobu" => self.terminal_server(argv, name, args, depth),
            "parallel" => self.parallel(argv, args, depth),
            "xe" => self.xe(argv, args, depth),
            "setcap" => self.push(
                argv,
                Risk::High,
                "`setcap` changes the privileges (capabilities) a program runs with, like `chmod u+s`",
            ),
            "httpd" => self.serves_files(argv),
            n if wrapper_spec(n, argv).is_some() => self.through(argv, n, depth),
            "xargs" => self.xargs(argv, args, depth),
            n if has(ESCALATE, n) => self.escalate(argv, n, depth),
            n if is_shell(n) => self.shell(argv, n, depth),
            _ => self.tool_or_system(argv, name, args, depth),
        }
    }

    /// The program's own arm, second part: the workspace's tools,
    /// packages, infrastructure, the system.
    fn tool_or_system(&mut self, argv: &[Word], name: &str, args: &[String], depth: usize) {
        match name {
            "rampart" => self.rampart(argv, args, depth),
            "coproc" => self.coproc(argv, args, depth),
            "make" | "gmake" => self.make(argv, args),
            "rm" | "unlink" | "shred" | "srm" => self.rm(argv, name, args),
            "find" => self.find(argv, args, depth),
            "git" => self.git(argv, args),
            "cargo" => self.cargo(argv, args),
            "npm" | "yarn" | "pnpm" | "bun" if !args.is_empty() => self.js(argv, name, args),
            "npx" | "pnpx" | "bunx" => self.npx(argv, name, args, depth),
            "watch" => self.watch(argv, depth),
            "twine" | "gem" | "poetry" | "flit" | "hatch"
                if args
                    .iter()
                    .any(|a| matches!(a.as_str(), "upload" | "push" | "publish" | "yank")) =>
            {
                self.push(argv, Risk::High, format!("`{name}` publishes a package"));
            }
            "awk" | "gawk" | "mawk" => self.awk(argv, args),
            // `pipx run PKG`, `uvx PKG`, `uv tool run PKG`, `pnpm dlx PKG`,
            // `yarn dlx PKG`: a package downloaded from a registry and run,
            // like `npx -y PKG`.
            n if registry_runner(n, args) => self.push(
                argv,
                Risk::High,
                format!("`{n}` downloads a package and runs it"),
            ),
            "pip" | "pip3" | "pipx" => self.pip(argv, args),
            n if has(SYSTEM_PACKAGERS, n) => self.system_packages(argv, args),
            n if has(INFRASTRUCTURE, n) => self.push(
                argv,
                Risk::High,
                format!("`{n}` controls containers, clusters or infrastructure"),
            ),
            "chmod" | "chown" | "chgrp" | "chattr" | "setfacl" => self.chmod(argv, name, args),
            n if has(PROCESS_KILLERS, n) => self.push(argv, Risk::High, "kills processes"),
            "crontab" | "at" | "batch" => self.schedule(argv, args),
            "dd" => self.dd(argv, args),
            n if destroys_disks(n) => self.push(
                argv,
                Risk::Critical,
                format!("`{n}` destroys file systems or disks"),
            ),
            n if has(POWER, n) => {
                self.push(argv, Risk::Critical, format!("`{n}` stops the machine"));
            }
            "systemctl" | "service" | "launchctl" => self.services(argv, args),
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
            "iptables" | "ip6tables" | "nft" => self.firewall(argv, args),
            n if has(SYSTEM_CHANGERS, n) => self.system_change(argv, n, args),
            "rsync" => self.rsync(argv, args),
            _ => self.file_or_builtin(argv, name, args, depth),
        }
    }

    /// The program's own arm, last part: network clients, file tools,
    /// readers, builds, the shell's own builtins, and the unknown.
    fn file_or_builtin(&mut self, argv: &[Word], name: &str, args: &[String], depth: usize) {
        match name {
            n if has(NETWORK, n) => self.net(argv, n, args),
            "sed" | "perl" | "ruby" if edits_in_place(args) => self.in_place(argv, args),
            "sed" => self.sed(argv, args, depth),
            "python" | "python3" | "node" | "ruby" | "perl" | "php" | "deno" | "lua"
                if args.first().is_some_and(|a| {
                    matches!(a.as_str(), "-c" | "-e" | "--eval" | "-E" | "-p")
                }) =>
            {
                self.push(argv, Risk::Medium, "runs inline code");
            }
            "cp" | "mv" | "ln" | "install" | "tee" | "touch" | "mkdir" | "truncate" => {
                self.copy_or_write(argv, name, args);
            }
            n if has(LOW, n) => self.reader(argv, n, args),
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
            "bind" => self.bind(argv, args, depth),
            "trap" => self.push(
                argv,
                Risk::Low,
                "`trap` sets a handler (its code is analysed)",
            ),
            n if self.functions.iter().any(|f| f == n) && depth == 0 => self.push(
                argv,
                Risk::Low,
                format!("calls the function `{n}` defined in the script (its body is analysed)"),
            ),
            "eval" | "source" | "." => self.source(argv, name, args, depth),
            _ => self.push(
                argv,
                Risk::Medium,
                format!("`{name}` is not in the risk table"),
            ),
        }
    }
}
