//! The command line (clap definitions only; bodies live in `commands/`).

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};
use rampart_policy::{ApprovalPolicy, SandboxMode};

/// rampart: a security runtime for AI agents.
///
/// It decides whether an agent's action may happen, asks a human when it
/// should, enforces the answer with the kernel, and records it.
#[derive(Debug, Parser)]
#[command(
    name = "rampart",
    version,
    propagate_version = true,
    max_term_width = 100
)]
pub(crate) struct Cli {
    #[command(flatten)]
    pub(crate) global: Global,
    #[command(subcommand)]
    pub(crate) command: Command,
}

/// Options every command takes.
#[derive(Debug, Args)]
pub(crate) struct Global {
    /// FILE: use it in place of the user config ($RAMPART_CONFIG, else
    /// $XDG_CONFIG_HOME/rampart/config.toml). KEY=VALUE (an argument with
    /// `=`): set one key, as Codex's `-c` does: a dotted path such as
    /// `sandbox_workspace_write.network_access`, and a TOML value (else a
    /// string). Repeatable, the last wins; applied over every config file,
    /// under the command's own flags (`--sandbox` beats `-c sandbox_mode`).
    #[arg(
        short = 'c',
        long = "config",
        global = true,
        value_name = "FILE|KEY=VALUE",
        action = clap::ArgAction::Append
    )]
    pub(crate) config_args: Vec<std::ffi::OsString>,
    /// The config file (`--config FILE`, else `$RAMPART_CONFIG`), once
    /// [`Global::settle`] has sorted `config_args`.
    #[arg(skip)]
    pub(crate) config: Option<PathBuf>,
    /// The `-c KEY=VALUE` overrides, in order.
    #[arg(skip)]
    pub(crate) overrides: Vec<rampart_policy::Override>,
    /// Apply `[profiles.NAME]` on top of each config file (default: the
    /// user config's top-level `profile`).
    #[arg(short = 'p', long, global = true, value_name = "NAME")]
    pub(crate) profile: Option<String>,
    /// Machine-readable output on stdout, with stable field names.
    #[arg(long, global = true)]
    pub(crate) json: bool,
    /// When to colour messages.
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto, value_name = "WHEN")]
    pub(crate) color: ColorChoice,
    /// Print only errors.
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub(crate) quiet: bool,
    /// More detail on stderr (-vv for debug logs; RAMPART_LOG overrides).
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub(crate) verbose: u8,
}

impl Global {
    /// Sorts `--config` arguments into the config file (one without `=`;
    /// at most one) and the `KEY=VALUE` overrides; with no file given,
    /// `$RAMPART_CONFIG` names it.
    pub(crate) fn settle(&mut self) -> Result<(), String> {
        for raw in std::mem::take(&mut self.config_args) {
            if raw.as_encoded_bytes().contains(&b'=') {
                let text = raw.to_str().ok_or_else(|| {
                    format!("`--config {}` is not valid UTF-8", raw.to_string_lossy())
                })?;
                let o = rampart_policy::Override::parse(text).map_err(|e| e.to_string())?;
                self.overrides.push(o);
            } else if let Some(first) = &self.config {
                return Err(format!(
                    "two config files: `{}` and `{}`; --config names one file (KEY=VALUE settings may repeat)",
                    first.display(),
                    raw.to_string_lossy()
                ));
            } else {
                self.config = Some(PathBuf::from(raw));
            }
        }
        if self.config.is_none() {
            self.config = std::env::var_os(crate::env::RAMPART_CONFIG)
                .filter(|v| !v.is_empty())
                .map(PathBuf::from);
        }
        Ok(())
    }
}

/// When to colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum ColorChoice {
    /// On a terminal, unless NO_COLOR is set or TERM=dumb.
    Auto,
    /// Always.
    Always,
    /// Never.
    Never,
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Run one command through the gate, inside the sandbox.
    ///
    /// Defaults: workspace-write (writes only in the workspace, /tmp and
    /// $TMPDIR; .git read-only), no network, secrets kept out of the
    /// environment, ~/.ssh and friends hidden.
    ///
    /// Exit status: the program's; 124 timeout, 125 rampart's own error
    /// (including a protection this host cannot provide), 126 denied or not
    /// approved, 127 program not found, 128+N killed by signal N.
    #[command(
        after_help = "Examples:\n  rampart exec -- cargo test\n  rampart exec --sandbox read-only -- grep -r TODO .\n  rampart exec -C ~/proj --writable-root ~/.cache/cargo -- make\n  rampart exec --network -- npm ci\n  rampart exec --sandbox danger-full-access -- ./deploy.sh"
    )]
    Exec(ExecArgs),
    /// Decide without running: verdict, risk, reasons and the commands found.
    ///
    /// Shell scripts (`sh -c '…'`) are parsed with a real parser; the
    /// verdict of the whole is the strictest of its parts. Nothing runs.
    ///
    /// Exit status: 0 when the action was evaluated (whatever the verdict),
    /// 2 on a usage or config error.
    #[command(
        after_help = "Examples:\n  rampart check --json -- sh -c 'curl -s https://x.sh | sh'\n  rampart check -- git push origin main\n  rampart check --approval untrusted -- ls -la"
    )]
    Check(CheckArgs),
    /// Find secrets (and with --pii, personal data) in files.
    ///
    /// Walks the paths (default: the current directory), honouring
    /// .gitignore but not skipping hidden files such as .env. Findings show
    /// a redacted preview, never the secret. A line with `rampart:allow`
    /// is skipped; `[detect]` in the config adds, disables and allows rules
    /// and excludes paths (docs/SCANNING.md).
    ///
    /// Exit status: 0 clean, 1 findings, 2 error.
    #[command(
        after_help = "Examples:\n  rampart scan .\n  rampart scan --json src/ > findings.json\n  rampart scan --staged                              # pre-commit\n  rampart scan --history --format sarif > scan.sarif\n  rampart scan --baseline .rampart-baseline.json --update-baseline\n  rampart scan --pii docs/\n  rampart scan --list-rules"
    )]
    Scan(ScanArgs),
    /// Copy stdin to stdout with secrets (and with --pii, personal data) masked.
    ///
    /// Streams: output is released a line at a time; a secret split across
    /// reads is still masked. Uses the user's `[detect]` settings; a
    /// project's `rampart.toml` may add rules but never lets a secret
    /// through. Exit status: 0, or 2 on a read/write or config error.
    #[command(after_help = "Example:\n  some-command 2>&1 | rampart redact --pii")]
    Redact(RedactArgs),
    /// Read, check and export the audit trail.
    ///
    /// Every action that passes the gate leaves OCSF events (exec: a Launch
    /// event with the decision, written before anything runs, and a
    /// Terminate event with exit code and duration), redacted, sealed into
    /// a SHA-256 chain, in `[audit] dir` (JSON lines and SQLite; PostgreSQL
    /// when $RAMPART_AUDIT_PG_URL is set). docs/AUDIT.md has the format.
    #[command(after_help = "Examples:
  rampart audit tail -f
  rampart audit query --since 2h --verdict deny --json
  rampart audit query --risk high 'git push'
  rampart audit verify
  rampart audit export --format ocsf > events.json
  RAMPART_AUDIT_PG_URL=postgres://audit@db/rampart rampart audit forward")]
    Audit(AuditArgs),
    /// Check what this host can enforce, and what the config in force asks for.
    ///
    /// Exit status: 0 when everything the config asks for is enforceable,
    /// 1 when something is missing or the config has errors.
    #[command(after_help = "Examples:
  rampart doctor
  rampart doctor --no-trial --json | jq .protections
  rampart -C ~/proj doctor --profile ci")]
    Doctor(DoctorArgs),
    /// Write a commented, secure default config (mode 0600).
    ///
    /// Writes the user config unless --project or --output says otherwise,
    /// and never overwrites without --force. With --from-codex, the config
    /// holds the sandbox settings of your Codex config (docs/CODEX.md).
    #[command(after_help = "Examples:
  rampart init
  rampart init --project
  rampart init --from-codex
  rampart init --from-codex ~/work/.codex/config.toml --print")]
    Init(InitArgs),
    /// An MCP server on stdio whose tools go through the gate.
    ///
    /// Tools: run_command (in the sandbox; output capped, secrets masked),
    /// read_file, write_file, list_directory (beneath the workspace, opened
    /// race-free). The workspace is the current directory or -C DIR. An ask
    /// goes to `rampart serve`'s approval queue when the daemon runs, and is
    /// refused (saying why) when it does not.
    #[command(after_help = "Examples:
  rampart mcp -C ~/proj
  claude mcp add rampart -- rampart mcp -C ~/proj
  {\"mcpServers\": {\"rampart\": {\"command\": \"rampart\", \"args\": [\"mcp\", \"-C\", \"/home/me/proj\"]}}}")]
    Mcp(ServeArgs),
    /// Agent hooks: judge an agent's tool call before it happens.
    #[command(subcommand)]
    Hook(HookCommand),
    /// The daemon: a Unix socket for local clients, and the approval queue.
    ///
    /// Listens on $XDG_RUNTIME_DIR/rampart/rampart.sock (else
    /// $XDG_STATE_HOME/rampart/run/rampart.sock), a 0600 socket in a 0700
    /// directory, and talks only to processes of the same user. Asks from
    /// `rampart mcp` (and the daemon's own `exec`) wait here for
    /// `rampart approvals`; an unanswered ask is denied after
    /// `[agents] approval_timeout_secs`. SIGTERM shuts it down cleanly.
    #[command(after_help = "Examples:
  rampart serve -C ~/proj &
  rampart approvals list
  rampart approvals approve 3 --for-session")]
    Serve(ServeArgs),
    /// Answer the asks waiting in the daemon's queue.
    #[command(subcommand)]
    Approvals(ApprovalsCommand),
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell).
    #[command(after_help = "Examples:
  rampart completions bash > ~/.local/share/bash-completion/completions/rampart
  rampart completions zsh > \"${fpath[1]}/_rampart\"
  rampart completions fish > ~/.config/fish/completions/rampart.fish")]
    Completions {
        /// The shell.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff), or write one per command into a directory.
    #[command(after_help = "Examples:
  rampart man | man -l -
  rampart man --dir ~/.local/share/man/man1")]
    Man {
        /// Write rampart.1 and rampart-COMMAND.1 here instead of printing.
        #[arg(long, value_name = "DIR")]
        dir: Option<PathBuf>,
    },
    /// The enforcement half of `exec`, for rampart's own servers: runs the
    /// command in the sandbox the config asks for, without deciding or
    /// recording (the caller did both). It only ever confines: it refuses
    /// danger-full-access.
    #[command(hide = true)]
    SandboxRun(SandboxRunArgs),
}

/// `rampart mcp` and `rampart serve`.
#[derive(Debug, Args)]
pub(crate) struct ServeArgs {
    #[command(flatten)]
    pub(crate) policy: PolicyArgs,
}

#[derive(Debug, Subcommand)]
pub(crate) enum HookCommand {
    /// A Claude Code PreToolUse hook: the tool call as JSON on stdin, the
    /// decision (allow / deny / ask, with the reason) as JSON on stdout.
    ///
    /// Judges Bash, Read, Write, Edit, MultiEdit, NotebookEdit, Glob, Grep
    /// and WebFetch with the config in force for the call's cwd. An allowed
    /// Bash command is rewritten to run under `rampart exec`, sandboxed
    /// (`[agents] rewrite_bash`). Unknown tools get `[agents] unknown_tool`
    /// (ask by default), or the first matching `[[rules]] tool = "…"`;
    /// input it cannot read or judge gets deny; other hook events get
    /// no answer. Always exits 0.
    #[command(after_help = "In ~/.claude/settings.json:
  {\"hooks\": {\"PreToolUse\": [{\"matcher\": \"Bash|Read|Write|Edit|MultiEdit|NotebookEdit|Glob|Grep|WebFetch|mcp__.*\",
    \"hooks\": [{\"type\": \"command\", \"command\": \"rampart hook claude-code\"}]}]}}")]
    ClaudeCode,
}

#[derive(Debug, Subcommand)]
pub(crate) enum ApprovalsCommand {
    /// The asks waiting for an answer (id, what, risk, why, who asks).
    #[command(after_help = "Example:\n  rampart approvals list")]
    List,
    /// Approve ask ID.
    #[command(
        after_help = "Examples:\n  rampart approvals approve 3\n  rampart approvals approve 3 --for-session"
    )]
    Approve(AnswerArgs),
    /// Deny ask ID.
    #[command(after_help = "Example:\n  rampart approvals deny 3")]
    Deny(AnswerArgs),
}

#[derive(Debug, Args)]
pub(crate) struct AnswerArgs {
    /// The ask's id, from `rampart approvals list`.
    pub(crate) id: u64,
    /// Also answer the same rule (or command) for the rest of the asker's
    /// session (never for critical risk).
    #[arg(long)]
    pub(crate) for_session: bool,
}

/// Options shared by `exec` and `check`.
#[derive(Debug, Args)]
pub(crate) struct PolicyArgs {
    /// Sandbox mode: read-only, workspace-write or danger-full-access.
    #[arg(short = 's', long, value_name = "MODE", value_parser = parse_mode)]
    pub(crate) sandbox: Option<SandboxMode>,
    /// Approval policy: untrusted, on-request, on-failure or never.
    #[arg(short = 'a', long, visible_alias = "ask-for-approval", value_name = "POLICY", value_parser = parse_approval)]
    pub(crate) approval: Option<ApprovalPolicy>,
    /// The workspace (default: the current directory); the command starts here.
    #[arg(
        short = 'C',
        long = "workspace",
        visible_alias = "cd",
        value_name = "DIR"
    )]
    pub(crate) workspace: Option<PathBuf>,
    /// Another directory the command may write (repeatable).
    #[arg(long, visible_alias = "add-dir", value_name = "DIR")]
    pub(crate) writable_root: Vec<PathBuf>,
    /// Limit the network to HOST (wildcards: *.example.com; repeatable).
    /// Not available yet: refused until the allowlist proxy exists.
    #[arg(long, value_name = "HOST", hide = true)]
    pub(crate) allow_host: Vec<String>,
    /// Let the command use the network.
    #[arg(long)]
    pub(crate) network: bool,
    /// Let the command write .git: `true` (the default when given) or `commits`.
    #[arg(long, value_name = "WHAT", num_args = 0..=1, default_missing_value = "true", value_parser = ["true", "commits", "false"])]
    pub(crate) allow_git_writes: Option<String>,
    /// Kill the whole process tree after this long: seconds, or with units
    /// (`90s`, `10m`, `1h30m`); 0: no timeout.
    #[arg(long, value_name = "DURATION", value_parser = parse_timeout)]
    pub(crate) timeout: Option<u64>,
    /// Memory limit: MiB, or with units (`512M`, `4G`, `1.5GiB`; binary
    /// multiples); 0: none.
    #[arg(long, value_name = "SIZE", value_parser = parse_memory)]
    pub(crate) memory: Option<u64>,
    /// Process limit (0: none).
    #[arg(long, value_name = "N")]
    pub(crate) max_procs: Option<u64>,
    /// Pass environment variable NAME through despite the policy (repeatable).
    #[arg(long, value_name = "NAME")]
    pub(crate) keep_env: Vec<String>,
}

/// `--timeout`: whole seconds, or a duration with units (humantime).
fn parse_timeout(s: &str) -> Result<u64, String> {
    if let Ok(secs) = s.parse::<u64>() {
        return Ok(secs);
    }
    let d = humantime::parse_duration(s).map_err(|e| {
        format!("`{s}` is not a duration ({e}); give seconds (`600`) or units (`10m`, `1h30m`)")
    })?;
    if d.subsec_nanos() != 0 {
        return Err(format!("`{s}` is not a whole number of seconds"));
    }
    Ok(d.as_secs())
}

/// `--memory`: MiB, or a size with units (binary multiples: `4G` is 4 GiB).
fn parse_memory(s: &str) -> Result<u64, String> {
    if let Ok(mib) = s.parse::<u64>() {
        return Ok(mib);
    }
    let bytes = parse_size::Config::new()
        .with_binary()
        .parse_size(s)
        .map_err(|e| {
            format!("`{s}` is not a size ({e}); give MiB (`512`) or units (`512M`, `4G`)")
        })?;
    let mib = bytes / (1 << 20);
    if mib == 0 && bytes != 0 {
        return Err(format!("`{s}` is less than 1 MiB"));
    }
    Ok(mib)
}

fn parse_mode(s: &str) -> Result<SandboxMode, rampart_policy::UnknownWord> {
    s.parse()
}

fn parse_approval(s: &str) -> Result<ApprovalPolicy, rampart_policy::UnknownWord> {
    s.parse()
}

#[derive(Debug, Args)]
pub(crate) struct ExecArgs {
    #[command(flatten)]
    pub(crate) policy: PolicyArgs,
    /// The program and its arguments.
    #[arg(last = true, required = true, value_name = "PROGRAM [ARGS]...")]
    pub(crate) command: Vec<std::ffi::OsString>,
}

/// `rampart sandbox-run`: no policy flags; the command it names must be
/// the one in the sealed plan it is handed.
#[derive(Debug, Args)]
pub(crate) struct SandboxRunArgs {
    /// The program and its arguments (as in the plan).
    #[arg(last = true, required = true, value_name = "PROGRAM [ARGS]...")]
    pub(crate) command: Vec<std::ffi::OsString>,
}

#[derive(Debug, Args)]
pub(crate) struct CheckArgs {
    #[command(flatten)]
    pub(crate) policy: PolicyArgs,
    /// The program and its arguments.
    #[arg(last = true, required = true, value_name = "PROGRAM [ARGS]...")]
    pub(crate) command: Vec<std::ffi::OsString>,
}

#[derive(Debug, Args)]
pub(crate) struct ScanArgs {
    /// Files or directories (default: .).
    pub(crate) paths: Vec<PathBuf>,
    /// Also personal data: emails, phone numbers, cards, IBANs, SSNs, IPs.
    #[arg(long)]
    pub(crate) pii: bool,
    /// Output format (`--json` is the same as `--format json`).
    #[arg(long, value_enum, default_value_t = ScanFormat::Text)]
    pub(crate) format: ScanFormat,
    /// Only what is staged for the next commit (the index, not the work tree).
    #[arg(long, conflicts_with_all = ["paths", "history"])]
    pub(crate) staged: bool,
    /// Every commit reachable from HEAD: what each one added, with its commit.
    #[arg(long, conflicts_with = "paths")]
    pub(crate) history: bool,
    /// With --history: `git log` arguments choosing the commits, e.g.
    /// "main..HEAD" or "--since=2.weeks --no-merges" (revisions, ranges,
    /// paths after --, and options that choose commits; nothing else).
    #[arg(
        long,
        value_name = "ARGS",
        requires = "history",
        allow_hyphen_values = true
    )]
    pub(crate) log_opts: Option<String>,
    /// With --history: only the commits after REV (REV..HEAD).
    #[arg(long, value_name = "REV", requires = "history")]
    pub(crate) since_commit: Option<String>,
    /// The exit status when something is found (0 reports without failing).
    #[arg(long, value_name = "N", default_value_t = 1)]
    pub(crate) exit_code: u8,
    /// Known findings (by fingerprint) in FILE are not reported.
    #[arg(long, value_name = "FILE")]
    pub(crate) baseline: Option<PathBuf>,
    /// Write the current findings to the --baseline file (and exit 0).
    #[arg(long, requires = "baseline")]
    pub(crate) update_baseline: bool,
    /// Print every detection rule in force (built-in and `[detect]`) and exit.
    #[arg(long, conflicts_with_all = ["paths", "staged", "history", "baseline"])]
    pub(crate) list_rules: bool,
}

/// How `scan` reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum ScanFormat {
    /// `path:line:column: rule (confidence) preview`.
    Text,
    /// The DESIGN JSON shape.
    Json,
    /// SARIF 2.1.0, for code-scanning dashboards.
    Sarif,
}

#[derive(Debug, Args)]
pub(crate) struct RedactArgs {
    /// Also personal data.
    #[arg(long)]
    pub(crate) pii: bool,
}

#[derive(Debug, Args)]
pub(crate) struct DoctorArgs {
    /// The workspace whose rampart.toml to include (default: current directory).
    #[arg(short = 'C', long = "workspace", value_name = "DIR")]
    pub(crate) workspace: Option<PathBuf>,
    /// Skip the trial run of `true` in the configured sandbox.
    #[arg(long)]
    pub(crate) no_trial: bool,
}

#[derive(Debug, Args)]
pub(crate) struct InitArgs {
    /// Write ./rampart.toml (a project file, which can only tighten) instead.
    #[arg(long, conflicts_with = "output")]
    pub(crate) project: bool,
    /// Write to FILE.
    #[arg(long, short, value_name = "FILE")]
    pub(crate) output: Option<PathBuf>,
    /// Replace an existing file.
    #[arg(long)]
    pub(crate) force: bool,
    /// Print the config to stdout instead of writing it.
    #[arg(long, conflicts_with_all = ["project", "output", "force"])]
    pub(crate) print: bool,
    /// Convert the sandbox settings of a Codex config.toml (default:
    /// $CODEX_HOME/config.toml, else ~/.codex/config.toml); the keys it
    /// ignores or cannot map are listed on stderr.
    #[arg(long, value_name = "PATH", conflicts_with = "project")]
    #[expect(
        clippy::option_option,
        reason = "clap's shape for absent, given alone (Codex's default path), or given a path"
    )]
    pub(crate) from_codex: Option<Option<PathBuf>>,
}

#[derive(Debug, Args)]
pub(crate) struct AuditArgs {
    #[command(subcommand)]
    pub(crate) command: AuditCommand,
}

#[derive(Debug, Subcommand)]
pub(crate) enum AuditCommand {
    /// The latest events, one line each; -f keeps printing new ones.
    #[command(
        after_help = "Examples:\n  rampart audit tail\n  rampart audit tail -f --verdict deny"
    )]
    Tail {
        /// How many of the latest events to show first.
        #[arg(short = 'n', long, default_value_t = 20, value_name = "N")]
        lines: usize,
        /// Keep printing events as they are recorded (Ctrl-C to stop).
        #[arg(short, long)]
        follow: bool,
        #[command(flatten)]
        filter: AuditFilter,
    },
    /// Events that match every filter given, oldest first.
    ///
    /// Exit status: 0 (also when nothing matches), 2 on an error.
    #[command(
        after_help = "Examples:\n  rampart audit query --since 2h --verdict deny --json\n  rampart audit query --risk high 'git push'"
    )]
    Query {
        #[command(flatten)]
        filter: AuditFilter,
        /// At most the N newest matches.
        #[arg(long, value_name = "N")]
        limit: Option<usize>,
    },
    /// Check the hash chain end to end, in the JSON-lines files and SQLite.
    ///
    /// Finds a changed field, an inserted, removed or reordered event, a
    /// cut tail and a missing rotated file, and names the first broken
    /// event. Also finds deleted newest events: the head (count and last
    /// hash) is kept in the head file and, as how far it had mirrored, for
    /// the `SQLite` database, and each must agree with the other and with
    /// the last JSON line. Exit status: 0 intact, 1 tampered, 2 error (no
    /// trail, unreadable, PostgreSQL unreachable with `--remote`).
    #[command(
        after_help = "Examples:\n  rampart audit verify\n  rampart audit verify --remote --json"
    )]
    Verify {
        /// Also compare the local chain with the copy forwarded to
        /// PostgreSQL (the off-host anchor): events missing locally,
        /// extra, or different.
        #[arg(long)]
        remote: bool,
        /// The chain to compare with `--remote` (default: the id kept in
        /// the local database; note it down from `verify --json`).
        #[arg(long, value_name = "ID", requires = "remote")]
        chain_id: Option<String>,
    },
    /// Events as OCSF JSON, for a SIEM.
    ///
    /// Each event gets `metadata.sequence` and `unmapped.rampart_chain`
    /// (seq, prev_hash, hash). Filters as for `query`.
    #[command(
        after_help = "Examples:\n  rampart audit export --format ocsf > events.json\n  rampart audit export --format ocsf-jsonl --since 1d | vector --config siem.toml"
    )]
    Export {
        /// `ocsf`: one JSON array; `ocsf-jsonl`: one event per line.
        #[arg(long, value_enum, default_value_t = ExportFormat::Ocsf)]
        format: ExportFormat,
        #[command(flatten)]
        filter: AuditFilter,
    },
    /// Send the events PostgreSQL does not have yet, now (retrying with
    /// backoff for up to --wait seconds).
    ///
    /// The URL comes only from the environment variable `[audit]
    /// postgres_url_env` names (RAMPART_AUDIT_PG_URL). Exit status: 0 sent
    /// (or nothing to send), 1 the server could not be reached, 2 error.
    #[command(
        after_help = "Example:\n  RAMPART_AUDIT_PG_URL=postgres://audit@db/rampart rampart audit forward --wait 30"
    )]
    Forward {
        /// Give up after this many seconds.
        #[arg(long, default_value_t = 10, value_name = "SECS")]
        wait: u64,
    },
}

/// `rampart audit export --format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum ExportFormat {
    /// A JSON array of OCSF events.
    Ocsf,
    /// OCSF events, one per line.
    OcsfJsonl,
}

/// Filters shared by `tail`, `query` and `export`.
#[derive(Debug, Args)]
pub(crate) struct AuditFilter {
    /// Only events since: a duration ago (`90s`, `15m`, `2h`, `7d`) or a
    /// time (`2026-11-22T10:00:00Z`).
    #[arg(long, value_name = "WHEN")]
    pub(crate) since: Option<String>,
    /// Only events before: a duration ago or a time.
    #[arg(long, value_name = "WHEN")]
    pub(crate) until: Option<String>,
    /// Only this verdict.
    #[arg(long, value_parser = ["allow", "ask", "deny"])]
    pub(crate) verdict: Option<String>,
    /// Only this risk or higher.
    #[arg(long, value_parser = ["low", "medium", "high", "critical"])]
    pub(crate) risk: Option<String>,
    /// Only this OCSF class: process, file, network, api, auth, or a class_uid.
    #[arg(long, value_name = "CLASS")]
    pub(crate) class: Option<String>,
    /// Only this user name.
    #[arg(long, value_name = "USER")]
    pub(crate) actor: Option<String>,
    /// Only events whose command line, path, URL or API operation contains TEXT.
    #[arg(value_name = "TEXT")]
    pub(crate) contains: Option<String>,
}
