//! Protected paths: files that make another program run code the next time
//! it starts (agent configs, git internals, shell rc files) and rampart's
//! own config and state. One list, used by every surface: the sandbox binds
//! them read-only and pins their parents, and the file tools (the Claude
//! Code hook, MCP `write_file`, the daemon) refuse to write them.
//!
//! Entries are globs (globset, `/` never matched by `*`):
//! - relative ones (`.mcp.json`, `.claude/**`, `**/.envrc`) are matched
//!   against the path relative to the workspace (and each writable root);
//! - `~/...` ones against the path relative to `$HOME`;
//! - absolute ones against the whole path.
//!
//! `[filesystem] protect = [...]` adds entries (any layer may add);
//! `[filesystem] unprotect = [...]` removes built-in entries, and only the
//! user config may say it.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use globset::{Glob, GlobBuilder, GlobSet, GlobSetBuilder};

/// One built-in protected entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BuiltinProtect {
    /// The glob, as `[filesystem] unprotect` names it.
    pub pattern: &'static str,
    /// Why it is protected: what would run it.
    pub why: &'static str,
    /// A git internal: protected unless `allow_git_writes = true`.
    pub git: bool,
}

const fn entry(pattern: &'static str, why: &'static str) -> BuiltinProtect {
    BuiltinProtect {
        pattern,
        why,
        git: false,
    }
}

const fn git(pattern: &'static str, why: &'static str) -> BuiltinProtect {
    BuiltinProtect {
        pattern,
        why,
        git: true,
    }
}

const GIT_CONFIG: &str =
    "git configuration: git runs the programs it names (pagers, hooks paths, filters, aliases)";
const GIT_REDIRECT: &str =
    "git redirection: it points git at another repository, whose config and hooks then run";
const SHELL_RC: &str = "a shell start-up file: the shell runs it at every start";

/// The folder below one of `roots` (or the root itself), at or above `path`'s parent,
/// that is a git directory by its structure once `path` is written: it has
/// (or `path` is) a `HEAD`, and beside it `objects/`, `refs/` or a
/// `commondir` (or `path` is in one of them); or it has both `objects/`
/// and `refs/` (a common directory, which needs no `HEAD`) and `path` is
/// its `config`, `config.worktree` or in its `hooks/`. Git discovers a repository
/// this way without any `.git` (a bare repository), so writing its
/// `config` by name would never match `**/.git/config`. Looser than git's
/// own test (which needs `objects/` and `refs/` both): it refuses the write
/// that completes one as well as every write after.
pub(crate) fn git_dir_by_structure(path: &Path, roots: &[&Path]) -> Option<PathBuf> {
    let root = roots.iter().find(|r| path.starts_with(r))?;
    let mut dir = path.parent()?;
    // The top of the root too: made a common directory, git reads its
    // `config` and `hooks/` for a linked git directory whose `commondir`
    // points there (red team 10).
    while dir.starts_with(root) {
        let here = |name: &str| {
            let p = dir.join(name);
            path.starts_with(&p) || std::fs::symlink_metadata(&p).is_ok()
        };
        // A common directory (`objects/` and `refs/`, no `HEAD` of its
        // own) is where a linked git directory's `commondir` sends git
        // for its config and hooks: those names are refused there (a
        // source folder with `objects/` and `refs/` keeps its other files).
        let runs_code = ["config", "config.worktree", "hooks"]
            .iter()
            .any(|n| path.starts_with(dir.join(n)));
        if (here("HEAD") && (here("objects") || here("refs") || here("commondir")))
            || (here("objects") && here("refs") && runs_code)
        {
            return Some(dir.to_path_buf());
        }
        dir = dir.parent()?;
    }
    None
}

/// The hook of a root's repository that runs `path`, if one does: a hook
/// that is a symlink to it (`ln -s ../../scripts/pre-commit`), or the
/// folder the repository's `core.hooksPath` names, which holds it. Git's
/// config is read with a plain scan for `hooksPath` (the repository's own
/// config, which the file tools and the sandbox hold: this only widens
/// what is refused).
fn git_hook_file(path: &Path, roots: &[&Path]) -> Option<String> {
    let real = std::fs::canonicalize(path).ok().or_else(|| {
        let parent = std::fs::canonicalize(path.parent()?).ok()?;
        Some(parent.join(path.file_name()?))
    })?;
    // Only regular files are read (a FIFO would stall the decision).
    let read = |p: &Path| {
        std::fs::metadata(p)
            .is_ok_and(|m| m.is_file() && m.len() < 1 << 20)
            .then(|| std::fs::read_to_string(p).ok())
            .flatten()
    };
    for root in roots {
        let dot_git = root.join(".git");
        let git_dir = if dot_git.is_dir() {
            dot_git
        } else {
            let Some(g) = read(&dot_git).and_then(|t| {
                t.lines()
                    .find_map(|l| l.strip_prefix("gitdir:"))
                    .map(|g| g.trim().to_owned())
            }) else {
                continue;
            };
            root.join(g)
        };
        if let Ok(entries) = std::fs::read_dir(git_dir.join("hooks")) {
            for e in entries.flatten() {
                let is_link = e.file_type().is_ok_and(|t| t.is_symlink());
                if is_link && std::fs::canonicalize(e.path()).is_ok_and(|t| t == real) {
                    return Some(e.path().display().to_string());
                }
            }
        }
        let config = read(&git_dir.join("config")).unwrap_or_default();
        for line in config.lines() {
            let line = line.trim();
            let Some((key, value)) = line.split_once('=') else {
                continue;
            };
            if !key.trim().eq_ignore_ascii_case("hookspath") {
                continue;
            }
            let value = value.trim().trim_matches('"');
            let dir = root.join(value);
            let dir = std::fs::canonicalize(&dir).unwrap_or(dir);
            if real.starts_with(&dir) {
                return Some(format!("{}/", dir.display()));
            }
        }
    }
    None
}

/// The built-in protected entries.
pub const BUILTIN_PROTECTED: &[BuiltinProtect] = &[
    git("**/.git", "a repository's git dir or `gitdir:` file: replacing it redirects git to a repository whose hooks run"),
    git("HEAD", "with `objects/` and `refs/` beside it, it makes the workspace itself a git dir, whose config and hooks git then honours there"),
    git("**/.git/config", GIT_CONFIG),
    git("**/.git/config.worktree", GIT_CONFIG),
    git("**/.git/commondir", GIT_REDIRECT),
    git("**/.git/gitdir", GIT_REDIRECT),
    git("**/.git/hooks/**", "a git hook: git runs it on commit, checkout, merge or push"),
    git("**/.git/info/**", "git's per-repository attributes and excludes: they can name filter programs"),
    git("**/.git/modules/**", "a submodule's git dir: its config and hooks run like the repository's own"),
    git("**/.git/worktrees/**", "a linked worktree's git dir: its config, hooks and redirections run like the repository's own"),
    entry("**/rampart.toml", "rampart's project config: it sets the sandbox and the rules of the next run"),
    entry("**/.claude/**", "Claude Code's project settings, commands and agents: its hooks and MCP servers start programs"),
    entry("**/.mcp.json", "an agent-config file: it makes Claude Code start programs (MCP servers)"),
    entry("**/.codex/**", "Codex's project config: it names programs Codex starts"),
    entry("**/.cursor/**", "Cursor's project rules and MCP servers: it starts the programs they name"),
    entry("**/.gemini/**", "Gemini CLI's project settings: its MCP servers and tools start programs"),
    entry("**/.zed/**", "Zed's project settings and tasks: they name programs the editor runs"),
    entry("**/.vscode/**", "VS Code's settings, tasks and launch configs: they name programs the editor runs"),
    entry("**/.idea/**", "JetBrains' project config: run configurations and tools start programs"),
    // Red team 10: more agents and editors that start programs named in
    // the folder they open.
    entry("**/opencode.json", "opencode's project config: its MCP servers and commands start programs"),
    entry("**/opencode.jsonc", "opencode's project config: its MCP servers and commands start programs"),
    entry("**/.opencode/**", "opencode's project plugins and config: they run when it opens the folder"),
    entry("**/.kiro/**", "Kiro's project settings and hooks: its MCP servers and hooks start programs"),
    entry("**/.amazonq/**", "Amazon Q's project MCP servers: it starts the programs they name"),
    entry("**/.roo/**", "Roo Code's project MCP servers and modes: it starts the programs they name"),
    entry("**/.continue/**", "Continue's project config and MCP servers: it starts the programs they name"),
    entry("**/.aider.conf.yml", "aider's project config: its lint and test commands run after every edit"),
    entry("**/.qwen/**", "Qwen Code's project settings: its MCP servers and tools start programs"),
    entry("**/crush.json", "Crush's project config: its MCP servers and language servers start programs"),
    entry("**/.crush.json", "Crush's project config: its MCP servers and language servers start programs"),
    entry("**/.helix/**", "Helix's project languages config: it starts the language servers it names"),
    entry("**/.windsurf/**", "Windsurf's project rules and workflows: they name programs it runs"),
    entry("**/.devcontainer/**", "a dev container definition: its `initializeCommand` runs on the host when the editor opens the folder"),
    entry("**/.devcontainer.json", "a dev container definition: its `initializeCommand` runs on the host when the editor opens the folder"),
    entry("**/.envrc", "direnv runs it when a shell enters the directory"),
    entry("**/.gitmodules", "it tells git which repositories to clone into the tree"),
    entry("**/.githooks/**", "hook scripts git runs when `core.hooksPath` points here"),
    entry("**/.git-hooks/**", "hook scripts git runs when `core.hooksPath` points here"),
    entry("**/.husky/**", "husky's git hooks: git runs them on commit and push"),
    entry("**/.pre-commit-config.yaml", "pre-commit runs the programs it lists on every commit"),
    entry("**/.cargo/config.toml", "cargo's config: runners, wrappers and aliases run on the next build"),
    entry("**/.cargo/config", "cargo's config: runners, wrappers and aliases run on the next build"),
    entry("**/.npmrc", "npm's config: `script-shell` and `node-options` run code on the next npm command"),
    entry("**/.yarnrc.yml", "yarn's config: `yarnPath` names the program run as yarn"),
    entry("**/.yarnrc", "yarn's config: `yarn-path` names the program run as yarn"),
    entry("**/.pnpmfile.cjs", "pnpm runs it on every install"),
    entry("**/mise.toml", "mise runs its hooks, tasks and env scripts when you enter the directory"),
    entry("**/.mise.toml", "mise runs its hooks, tasks and env scripts when you enter the directory"),
    // Red team 9: more files that make a host tool run a program the
    // project names, on `cd` or on every build or commit.
    entry("**/mise.local.toml", "mise runs its hooks, tasks and env scripts when you enter the directory"),
    entry("**/.mise.local.toml", "mise runs its hooks, tasks and env scripts when you enter the directory"),
    entry("**/.config/mise.toml", "mise runs its hooks, tasks and env scripts when you enter the directory"),
    entry("**/.config/mise/**", "mise runs its hooks, tasks and env scripts when you enter the directory"),
    // Red team 12: other version control systems run hooks and
    // extensions their repository config names; more mise and direnv files.
    entry("**/.hg/hgrc", "Mercurial's repository config: its hooks and extensions run on every `hg` command there"),
    entry("**/.sl/config", "Sapling's repository config: its hooks and extensions run on every `sl` command there"),
    entry("**/.jj/repo/config.toml", "Jujutsu's repository config: the pager, editor and aliases it names run on `jj` commands there"),
    entry("**/.pijul/config", "Pijul's repository config: its hooks run on `pijul record`"),
    entry("**/mise/config.toml", "mise runs its hooks, tasks and env scripts when you enter the directory"),
    entry("**/mise/config.local.toml", "mise runs its hooks, tasks and env scripts when you enter the directory"),
    entry("**/.mise/config.toml", "mise runs its hooks, tasks and env scripts when you enter the directory"),
    entry("**/.mise/config.local.toml", "mise runs its hooks, tasks and env scripts when you enter the directory"),
    entry("**/.config/mise.local.toml", "mise runs its hooks, tasks and env scripts when you enter the directory"),
    entry("**/.envrc.local", "a trusted `.envrc` sources it (`source_env_if_exists`) without asking again"),
    entry("**/.tool-versions", "asdf and mise run the tool versions (and `path:` installs) it names"),
    entry("**/rust-toolchain.toml", "rustup runs the toolchain it names (`path = ...` any directory) for every `cargo` and `rustc`, and prompts run `rustc --version` on `cd`"),
    entry("**/rust-toolchain", "rustup runs the toolchain it names for every `cargo` and `rustc`"),
    entry("**/lefthook.yml", "lefthook runs the commands it lists on every commit"),
    entry("**/lefthook.yaml", "lefthook runs the commands it lists on every commit"),
    entry("**/lefthook.toml", "lefthook runs the commands it lists on every commit"),
    entry("**/lefthook.json", "lefthook runs the commands it lists on every commit"),
    entry("**/.lefthook.yml", "lefthook runs the commands it lists on every commit"),
    entry("**/.lefthook.yaml", "lefthook runs the commands it lists on every commit"),
    entry("**/.lefthook.toml", "lefthook runs the commands it lists on every commit"),
    entry("**/.lefthook.json", "lefthook runs the commands it lists on every commit"),
    entry("**/.config/lefthook.yml", "lefthook runs the commands it lists on every commit"),
    entry("**/.config/lefthook.yaml", "lefthook runs the commands it lists on every commit"),
    entry("**/.config/lefthook.toml", "lefthook runs the commands it lists on every commit"),
    entry("**/.config/lefthook.json", "lefthook runs the commands it lists on every commit"),
    entry("**/lefthook-local.yml", "lefthook runs the commands it lists on every commit"),
    entry("**/lefthook-local.yaml", "lefthook runs the commands it lists on every commit"),
    entry("**/lefthook-local.toml", "lefthook runs the commands it lists on every commit"),
    entry("**/lefthook-local.json", "lefthook runs the commands it lists on every commit"),
    entry("**/.lefthook-local.yml", "lefthook runs the commands it lists on every commit"),
    entry("**/.lefthook-local.yaml", "lefthook runs the commands it lists on every commit"),
    entry("**/.lefthook-local.toml", "lefthook runs the commands it lists on every commit"),
    entry("**/.lefthook-local.json", "lefthook runs the commands it lists on every commit"),
    entry("**/.huskyrc", "husky (before v5) runs the hooks it lists on every commit"),
    entry("**/.huskyrc.json", "husky (before v5) runs the hooks it lists on every commit"),
    entry("**/.huskyrc.js", "husky (before v5) runs the hooks it lists on every commit"),
    entry("**/husky.config.js", "husky (before v5) runs the hooks it lists on every commit"),
    entry("**/.lintstagedrc.ts", "lint-staged runs the commands it lists on every commit"),
    entry("**/lint-staged.config.ts", "lint-staged runs the commands it lists on every commit"),
    entry("**/.pnpmfile.mjs", "pnpm runs it on every install"),
    entry("**/gradle.properties", "Gradle passes its `org.gradle.jvmargs` (`-javaagent`) to every build, and the IDE to its import when it opens the folder"),
    entry("**/gradle/wrapper/gradle-wrapper.properties", "`gradlew` and the IDE download and run the Gradle it names"),
    entry("**/.yarn/releases/**", "the yarn `yarnPath` names, run as yarn on every `yarn` command"),
    entry("**/.yarn/plugins/**", "yarn plugins: they run on every `yarn` command"),
    entry("**/.lintstagedrc", "lint-staged runs the commands it lists on every commit"),
    entry("**/.lintstagedrc.json", "lint-staged runs the commands it lists on every commit"),
    entry("**/.lintstagedrc.yaml", "lint-staged runs the commands it lists on every commit"),
    entry("**/.lintstagedrc.yml", "lint-staged runs the commands it lists on every commit"),
    entry("**/.lintstagedrc.js", "lint-staged runs the commands it lists on every commit"),
    entry("**/.lintstagedrc.cjs", "lint-staged runs the commands it lists on every commit"),
    entry("**/.lintstagedrc.mjs", "lint-staged runs the commands it lists on every commit"),
    entry("**/lint-staged.config.js", "lint-staged runs the commands it lists on every commit"),
    entry("**/lint-staged.config.cjs", "lint-staged runs the commands it lists on every commit"),
    entry("**/lint-staged.config.mjs", "lint-staged runs the commands it lists on every commit"),
    entry("**/bunfig.toml", "bun runs its `preload` scripts on every `bun` command"),
    entry("**/.mvn/extensions.xml", "Maven loads the extensions it names on every `mvn`"),
    entry("**/.mvn/jvm.config", "Maven passes these JVM options (`-javaagent`) on every `mvn`"),
    entry("**/.mvn/maven.config", "Maven reads these options on every `mvn`"),
    entry("**/.mvn/wrapper/maven-wrapper.properties", "`mvnw` downloads and runs the Maven it names"),
    entry("~/.bashrc", SHELL_RC),
    entry("~/.bash_profile", SHELL_RC),
    entry("~/.bash_login", SHELL_RC),
    entry("~/.bash_logout", SHELL_RC),
    entry("~/.profile", SHELL_RC),
    entry("~/.zshrc", SHELL_RC),
    entry("~/.zshenv", SHELL_RC),
    entry("~/.zprofile", SHELL_RC),
    entry("~/.zlogin", SHELL_RC),
    entry("~/.zlogout", SHELL_RC),
    entry("~/.config/fish/**", SHELL_RC),
    entry("~/.gitconfig", "the user's git configuration: git runs the programs it names"),
    entry("~/.config/git/**", "the user's git configuration: git runs the programs it names"),
    entry("~/.claude/settings.json", "Claude Code's user settings: its hooks start programs"),
    entry("~/.claude/settings.local.json", "Claude Code's user settings: its hooks start programs"),
    entry("~/.claude/commands/**", "Claude Code's user commands"),
    entry("~/.claude/agents/**", "Claude Code's user agents"),
    entry("~/.codex/**", "Codex's user config: it names programs Codex starts"),
    entry("~/.cursor/mcp.json", "Cursor's user MCP servers: it starts the programs they name"),
    entry("~/.gemini/settings.json", "Gemini CLI's user settings: its MCP servers start programs"),
    entry("~/.cargo/config.toml", "cargo's user config: runners, wrappers and aliases run on every build"),
    entry("~/.npmrc", "npm's user config: `script-shell` and `node-options` run code on every npm command"),
    // Red team 6: more files in `$HOME` that make a host program run code.
    entry("~/.claude.json", "Claude Code's user state: its `mcpServers` (user-wide and per project) start programs"),
    entry("~/.claude/hooks/**", "scripts Claude Code's hooks run"),
    entry("~/.claude/plugins/**", "Claude Code's plugins: their hooks and MCP servers start programs"),
    entry("~/.local/bin/**", "programs on the user's PATH: a file here shadows a system command in every shell"),
    entry("~/bin/**", "programs on the user's PATH: a file here shadows a system command in every shell"),
    entry("~/.config/autostart/**", "the desktop starts these programs at every login"),
    entry("~/.config/systemd/**", "systemd user units and timers: they start programs at login or on a schedule"),
    entry("~/.config/environment.d/**", "environment for every user service (`LD_PRELOAD`, `PATH`)"),
    entry("~/.pam_environment", "environment for every login (`LD_PRELOAD`, `PATH`)"),
    entry("~/.local/share/applications/**", "desktop entries: they name the program a file or menu item opens"),
    entry("~/.xprofile", SHELL_RC),
    entry("~/.xsessionrc", SHELL_RC),
    entry("~/.xinitrc", SHELL_RC),
    entry("~/.inputrc", "readline's key bindings: a macro can type and run a command in every shell"),
    entry("~/.tmux.conf", "tmux's config: `run-shell` and hooks run commands"),
    entry("~/.config/tmux/**", "tmux's config: `run-shell` and hooks run commands"),
    entry("~/.vimrc", "vim's config: it runs commands when vim starts"),
    entry("~/.vim/**", "vim's plugins and config: they run when vim starts"),
    entry("~/.config/nvim/**", "Neovim's config and plugins: they run when it starts"),
    entry("~/.emacs", "Emacs' init file: it runs when Emacs starts"),
    entry("~/.emacs.d/**", "Emacs' init files and packages: they run when Emacs starts"),
    entry("~/.gdbinit", "gdb runs its commands at every start"),
    entry("~/.config/Code/User/**", "VS Code's user settings and tasks: they name programs the editor runs"),
    entry("~/.config/direnv/**", "direnv's own config and library: it runs in every directory with an `.envrc`"),
    entry("~/.config/mise/**", "mise's user config: its hooks, tasks and env scripts run in every directory"),
    entry("~/.config/pip/**", "pip's config: `index-url` decides whose code the next install runs"),
    entry("~/.curlrc", "curl's config: it adds options (uploads, proxies) to every curl command"),
];

/// Where a protected entry comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProtectOrigin {
    /// [`BUILTIN_PROTECTED`].
    BuiltIn,
    /// `[filesystem] protect` in a config file.
    Config,
    /// rampart's own config, state or audit directory.
    Rampart,
}

/// One entry of the protected set, as `rampart doctor` lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProtectEntry {
    /// A glob (see the module docs), or an absolute directory for
    /// [`ProtectOrigin::Rampart`].
    pub pattern: String,
    /// Why it is protected.
    pub why: String,
    /// Where it comes from.
    pub origin: ProtectOrigin,
}

/// Why a path is protected: the entry it matched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Protection {
    /// The matching entry.
    pub entry: ProtectEntry,
}

impl Protection {
    /// A sentence that names `path` and says why it is protected.
    pub fn reason(&self, path: &Path) -> String {
        let shown = path.display();
        match self.entry.origin {
            ProtectOrigin::BuiltIn => format!(
                "`{shown}` is protected (`{}`): {}; protected by default, see `[filesystem] protect` in docs/POLICY.md",
                self.entry.pattern, self.entry.why
            ),
            ProtectOrigin::Config => format!(
                "`{shown}` is protected by the `[filesystem] protect` entry `{}`",
                self.entry.pattern
            ),
            ProtectOrigin::Rampart => format!(
                "`{shown}` is protected: it is inside `{}`, {}",
                self.entry.pattern, self.entry.why
            ),
        }
    }
}

/// `[filesystem] protect` and `unprotect`, resolved.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProtectConfig {
    /// Entries added by config files (validated globs).
    pub added: Vec<String>,
    /// Built-in entries the user config removed.
    pub removed: Vec<String>,
    /// rampart's own directories and files beyond the audit dir (the user
    /// config's directory, `--config FILE`), set by the binary.
    pub rampart_paths: Vec<PathBuf>,
}

/// Checks one `[filesystem] protect` entry; the message names the problem.
pub fn check_protect_entry(raw: &str) -> Result<(), crate::glob::PatternError> {
    protect_entry(raw).map_err(|e| crate::glob::PatternError::new(raw, e.to_string()))
}

/// Why a `[filesystem] protect` entry is refused.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub(crate) enum ProtectEntryError {
    /// An empty entry.
    #[error("an empty `protect` entry would match nothing")]
    Empty,
    /// A `..` component.
    #[error("`{0}` contains `..`")]
    DotDot(String),
    /// `~user/`: only `~/` is expanded.
    #[error("`{0}`: only `~/` is expanded")]
    OtherUsersHome(String),
    /// Not a glob globset accepts.
    #[error("`{raw}` is not a valid glob: {source}")]
    Glob {
        /// The entry.
        raw: String,
        /// What globset says.
        source: globset::Error,
    },
}

fn protect_entry(raw: &str) -> Result<(), ProtectEntryError> {
    if raw.trim().is_empty() {
        return Err(ProtectEntryError::Empty);
    }
    if raw.split('/').any(|c| c == "..") {
        return Err(ProtectEntryError::DotDot(raw.to_owned()));
    }
    if raw.starts_with('~') && !raw.starts_with("~/") {
        return Err(ProtectEntryError::OtherUsersHome(raw.to_owned()));
    }
    glob(raw)
        .map(|_| ())
        .map_err(|source| ProtectEntryError::Glob {
            raw: raw.to_owned(),
            source,
        })
}

/// Checks one `[filesystem] unprotect` entry: it must name a built-in.
pub fn check_unprotect_entry(raw: &str) -> Result<(), crate::glob::PatternError> {
    if BUILTIN_PROTECTED.iter().any(|b| b.pattern == raw) {
        Ok(())
    } else {
        Err(crate::glob::PatternError::new(
            raw,
            format!("`{raw}` is not a built-in protected entry; `rampart doctor` lists them"),
        ))
    }
}

fn glob(pattern: &str) -> Result<Glob, globset::Error> {
    GlobBuilder::new(pattern)
        .literal_separator(true)
        .backslash_escape(true)
        .build()
}

/// Which tree a compiled pattern is matched in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Base {
    Workspace,
    Home,
    Absolute,
}

fn split(pattern: &str) -> (Base, &str) {
    if let Some(rest) = pattern.strip_prefix("~/") {
        (Base::Home, rest)
    } else if pattern.starts_with('/') {
        (Base::Absolute, pattern)
    } else {
        (Base::Workspace, pattern)
    }
}

/// Compiled globs of one base, each mapped back to its entry.
#[derive(Debug)]
struct Compiled {
    set: GlobSet,
    owner: Vec<usize>,
}

#[derive(Debug)]
struct CompiledEntries {
    entries: Vec<ProtectEntry>,
    git: Vec<bool>,
    by_base: [Compiled; 3],
}

fn compile(entries: Vec<ProtectEntry>, git: Vec<bool>) -> CompiledEntries {
    let mut builders = [
        (GlobSetBuilder::new(), Vec::new()),
        (GlobSetBuilder::new(), Vec::new()),
        (GlobSetBuilder::new(), Vec::new()),
    ];
    for (i, e) in entries.iter().enumerate() {
        let (base, rest) = split(&e.pattern);
        let slot = match base {
            Base::Workspace => 0,
            Base::Home => 1,
            Base::Absolute => 2,
        };
        // `dir/**` protects the directory itself too (replacing it).
        let mut forms = vec![rest.to_owned()];
        if let Some(dir) = rest.strip_suffix("/**") {
            forms.push(dir.to_owned());
        }
        for f in forms {
            // Validated at load; a bad built-in is caught by the tests.
            if let (Ok(g), Some((b, owner))) = (glob(&f), builders.get_mut(slot)) {
                b.add(g);
                owner.push(i);
            }
        }
    }
    let by_base = builders.map(|(b, owner)| Compiled {
        set: b.build().unwrap_or_else(|_| GlobSet::empty()),
        owner,
    });
    CompiledEntries {
        entries,
        git,
        by_base,
    }
}

fn builtins() -> &'static CompiledEntries {
    static SET: OnceLock<CompiledEntries> = OnceLock::new();
    SET.get_or_init(|| {
        compile(
            BUILTIN_PROTECTED
                .iter()
                .map(|b| ProtectEntry {
                    pattern: b.pattern.to_owned(),
                    why: b.why.to_owned(),
                    origin: ProtectOrigin::BuiltIn,
                })
                .collect(),
            BUILTIN_PROTECTED.iter().map(|b| b.git).collect(),
        )
    })
}

impl CompiledEntries {
    /// The first entry matching `path`, skipping those `skip` rejects.
    fn find(
        &self,
        path: &Path,
        roots: &[&Path],
        home: Option<&Path>,
        skip: impl Fn(usize) -> bool,
    ) -> Option<&ProtectEntry> {
        let mut hits: Vec<usize> = Vec::new();
        let mut look = |slot: usize, candidate: &Path| {
            if let Some(c) = self.by_base.get(slot) {
                for m in c.set.matches(candidate) {
                    if let Some(&owner) = c.owner.get(m) {
                        hits.push(owner);
                    }
                }
            }
        };
        for root in roots {
            if let Ok(rel) = path.strip_prefix(root) {
                if !rel.as_os_str().is_empty() {
                    look(0, rel);
                }
            }
        }
        if let Some(rel) = home.and_then(|h| path.strip_prefix(h).ok()) {
            if !rel.as_os_str().is_empty() {
                look(1, rel);
            }
        }
        look(2, path);
        hits.sort_unstable();
        hits.into_iter()
            .find(|&i| !skip(i))
            .and_then(|i| self.entries.get(i))
    }
}

/// The protected set of one configuration.
#[derive(Debug)]
pub struct ProtectedSet {
    removed: Vec<String>,
    git_protected: bool,
    added: Option<CompiledEntries>,
    rampart: Vec<(PathBuf, &'static str)>,
    home: Option<PathBuf>,
}

impl ProtectedSet {
    /// The set `cfg` describes: the built-ins (less those the user config
    /// removed; the git internals only while `allow_git_writes` is not
    /// `true`), the entries config files added, and rampart's own paths.
    pub fn new(cfg: &crate::Config) -> Self {
        let p = &cfg.protect;
        let added = (!p.added.is_empty()).then(|| {
            compile(
                p.added
                    .iter()
                    .map(|a| ProtectEntry {
                        pattern: a.clone(),
                        why: "listed in `[filesystem] protect`".into(),
                        origin: ProtectOrigin::Config,
                    })
                    .collect(),
                vec![false; p.added.len()],
            )
        });
        let mut rampart = vec![(
            cfg.audit.dir.clone(),
            "rampart's state and audit directory (session approvals, hook tickets, the audit trail)",
        )];
        for path in &p.rampart_paths {
            rampart.push((
                path.clone(),
                "rampart's user config: it sets the sandbox and the rules of every run",
            ));
        }
        Self {
            removed: p.removed.clone(),
            git_protected: cfg.workspace_write.allow_git_writes != crate::GitWrites::Allow,
            added,
            rampart,
            home: cfg.home.clone(),
        }
    }

    fn builtin_skipped(&self, i: usize) -> bool {
        let b = builtins();
        let pattern = b.entries.get(i).map_or("", |e| e.pattern.as_str());
        (b.git.get(i).copied().unwrap_or(false) && !self.git_protected)
            || self.removed.iter().any(|r| r == pattern)
    }

    /// Why `path` (absolute, resolved) is protected, if it is. `roots` are
    /// the workspace and the writable roots that relative entries apply to.
    pub fn protection(&self, path: &Path, roots: &[&Path]) -> Option<Protection> {
        self.protection_by_pattern(path, roots)
            .or_else(|| self.protection_by_repository(path, roots))
    }

    /// [`ProtectedSet::protection`] by the entries' patterns alone, with no
    /// look at the repositories on disk (for listing what a root holds,
    /// where the sandbox reads the repositories itself).
    pub fn protection_by_pattern(&self, path: &Path, roots: &[&Path]) -> Option<Protection> {
        for (dir, why) in &self.rampart {
            if path.starts_with(dir) {
                return Some(Protection {
                    entry: ProtectEntry {
                        pattern: dir.display().to_string(),
                        why: (*why).to_owned(),
                        origin: ProtectOrigin::Rampart,
                    },
                });
            }
        }
        let home = self.home.as_deref();
        if let Some(e) = builtins().find(path, roots, home, |i| self.builtin_skipped(i)) {
            return Some(Protection { entry: e.clone() });
        }
        self.added
            .as_ref()
            .and_then(|a| a.find(path, roots, home, |_| false))
            .map(|e| Protection { entry: e.clone() })
    }

    /// What the repositories on disk make a git internal: a file a hook
    /// runs, a write into a git directory found by its structure.
    fn protection_by_repository(&self, path: &Path, roots: &[&Path]) -> Option<Protection> {
        if self.git_protected {
            if let Some(hook) = git_hook_file(path, roots) {
                return Some(Protection {
                    entry: ProtectEntry {
                        pattern: hook,
                        why: "a file git runs as a hook (a symlinked hook's target, or in the folder `core.hooksPath` names): git runs it on commit, checkout, merge or push".to_owned(),
                        origin: ProtectOrigin::BuiltIn,
                    },
                });
            }
            if let Some(dir) = git_dir_by_structure(path, roots) {
                return Some(Protection {
                    entry: ProtectEntry {
                        pattern: format!("{}/", dir.display()),
                        why: "a git directory by its structure (`HEAD` beside `objects/`, `refs/` or `commondir`), like a bare repository: git takes it for one when run in that folder and honours its config and hooks, so a write into it is a write to git internals".to_owned(),
                        origin: ProtectOrigin::BuiltIn,
                    },
                });
            }
        }
        None
    }

    /// Every entry in force, for `rampart doctor`.
    pub fn entries(&self) -> Vec<ProtectEntry> {
        let mut out: Vec<ProtectEntry> = self
            .rampart
            .iter()
            .map(|(p, why)| ProtectEntry {
                pattern: p.display().to_string(),
                why: (*why).to_owned(),
                origin: ProtectOrigin::Rampart,
            })
            .collect();
        out.extend(
            builtins()
                .entries
                .iter()
                .enumerate()
                .filter(|(i, _)| !self.builtin_skipped(*i))
                .map(|(_, e)| e.clone()),
        );
        if let Some(a) = &self.added {
            out.extend(a.entries.iter().cloned());
        }
        out
    }

    /// The patterns in force that are not git internals: the built-in
    /// ones not lifted, then the config's.
    fn non_git_patterns(&self) -> Vec<&str> {
        let b = builtins();
        let mut patterns: Vec<&str> = b
            .entries
            .iter()
            .enumerate()
            .filter(|(i, _)| !b.git.get(*i).copied().unwrap_or(false) && !self.builtin_skipped(*i))
            .map(|(_, e)| e.pattern.as_str())
            .collect();
        if let Some(a) = &self.added {
            patterns.extend(a.entries.iter().map(|e| e.pattern.as_str()));
        }
        patterns
    }

    /// The agent-config paths protected at every depth of the workspace
    /// (`**/.envrc`, `**/.vscode/**`, `**/.cargo/config.toml`), relative:
    /// `.envrc`, `.vscode`, `.cargo/config.toml`. The sandbox quarantines
    /// what a command made or changed at these names anywhere below its
    /// writable places. Git internals are not among them: the sandbox finds
    /// git directories by their structure, as git does.
    pub fn nested_names(&self) -> Vec<PathBuf> {
        let patterns = self.non_git_patterns();
        let mut out: Vec<PathBuf> = Vec::new();
        for pattern in patterns {
            let (base, rest) = split(pattern);
            let Some(rest) = rest.strip_prefix("**/") else {
                continue;
            };
            let rest = rest.strip_suffix("/**").unwrap_or(rest);
            if !matches!(base, Base::Workspace)
                || rest.is_empty()
                || rest.contains(['*', '?', '[', '{', '\\'])
            {
                continue;
            }
            let p = PathBuf::from(rest);
            if !out.contains(&p) {
                out.push(p);
            }
        }
        out
    }

    /// The concrete paths the sandbox guards: rampart's paths, and every
    /// entry without wildcards (after dropping a leading `**/` and a
    /// trailing `/**`, so at the top of each root), existing or not. Git
    /// internals are left to the sandbox's own git layout. Entries with
    /// wildcards are matched against what exists by the caller, with
    /// [`ProtectedSet::protection`].
    pub fn literal_paths(&self, roots: &[&Path]) -> Vec<PathBuf> {
        let mut out: Vec<PathBuf> = self.rampart.iter().map(|(p, _)| p.clone()).collect();
        let patterns = self.non_git_patterns();
        for pattern in patterns {
            let (base, rest) = split(pattern);
            let rest = rest.strip_prefix("**/").unwrap_or(rest);
            let rest = rest.strip_suffix("/**").unwrap_or(rest);
            if rest.is_empty() || rest.contains(['*', '?', '[', '{', '\\']) {
                continue;
            }
            match base {
                Base::Workspace => out.extend(roots.iter().map(|r| r.join(rest))),
                Base::Home => out.extend(self.home.iter().map(|h| h.join(rest))),
                Base::Absolute => out.push(PathBuf::from(rest)),
            }
        }
        let mut seen = std::collections::HashSet::new();
        out.retain(|p| seen.insert(p.clone()));
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Config, GitWrites, HostEnv};

    fn cfg() -> Config {
        Config::defaults(&HostEnv {
            home: Some("/home/u".into()),
            xdg_state_home: Some("/home/u/.local/state".into()),
        })
    }

    fn why(set: &ProtectedSet, path: &str) -> Option<String> {
        set.protection(Path::new(path), &[Path::new("/w")])
            .map(|p| p.entry.pattern)
    }

    #[test]
    fn every_builtin_is_a_valid_glob() {
        for b in BUILTIN_PROTECTED {
            check_protect_entry(b.pattern).unwrap();
        }
    }

    #[test]
    fn builtins_match_agent_configs_git_internals_and_rc_files() {
        let set = ProtectedSet::new(&cfg());
        for (path, pattern) in [
            ("/w/.mcp.json", "**/.mcp.json"),
            ("/w/.claude/settings.json", "**/.claude/**"),
            ("/w/.claude", "**/.claude/**"),
            ("/w/.vscode/tasks.json", "**/.vscode/**"),
            ("/w/rampart.toml", "**/rampart.toml"),
            ("/w/sub/.envrc", "**/.envrc"),
            ("/w/pkg/.npmrc", "**/.npmrc"),
            ("/w/crate/.cargo/config.toml", "**/.cargo/config.toml"),
            ("/w/.git/hooks/pre-commit", "**/.git/hooks/**"),
            ("/w/.git/commondir", "**/.git/commondir"),
            ("/w/.git", "**/.git"),
            ("/w/HEAD", "HEAD"),
            ("/w/vendor/x/.git/config", "**/.git/config"),
            ("/w/.git/worktrees/a/HEAD", "**/.git/worktrees/**"),
            ("/home/u/.bashrc", "~/.bashrc"),
            ("/home/u/.config/git/config", "~/.config/git/**"),
            (
                "/home/u/.local/state/rampart/sessions/x.json",
                "/home/u/.local/state/rampart",
            ),
        ] {
            assert_eq!(why(&set, path).as_deref(), Some(pattern), "{path}");
        }
        for path in [
            "/w/src/main.rs",
            "/w/.git/objects/ab/cd",
            "/w/.git/HEAD",
            "/w/sub/.mcp.json.txt",
            "/w/my.claude/x",
            "/home/u/notes/.bashrc.bak",
        ] {
            assert_eq!(why(&set, path), None, "{path}");
        }
    }

    #[test]
    fn git_internals_follow_allow_git_writes_and_unprotect_removes() {
        let mut c = cfg();
        c.workspace_write.allow_git_writes = GitWrites::Allow;
        c.protect.removed = vec!["**/.vscode/**".into()];
        c.protect.added = vec!["scripts/*.sh".into(), "/opt/tool/conf".into()];
        let set = ProtectedSet::new(&c);
        assert_eq!(why(&set, "/w/.git/hooks/pre-commit"), None);
        assert_eq!(why(&set, "/w/.vscode/tasks.json"), None);
        assert_eq!(
            why(&set, "/w/scripts/build.sh").as_deref(),
            Some("scripts/*.sh")
        );
        assert_eq!(why(&set, "/w/scripts/a/b.sh"), None);
        assert_eq!(
            why(&set, "/opt/tool/conf").as_deref(),
            Some("/opt/tool/conf")
        );
        let listed: Vec<String> = set.entries().into_iter().map(|e| e.pattern).collect();
        assert!(!listed.contains(&"**/.vscode/**".to_owned()));
        assert!(listed.contains(&"scripts/*.sh".to_owned()));
    }

    #[test]
    fn a_bare_repository_is_git_internals_whatever_its_name() {
        let d = tempfile::tempdir().unwrap();
        let w = d.path();
        let set = ProtectedSet::new(&cfg());
        let bare = w.join("sub/store");
        std::fs::create_dir_all(bare.join("objects")).unwrap();
        // Without a HEAD it is an ordinary folder.
        assert!(set.protection(&bare.join("config"), &[w]).is_none());
        // The write that makes it one is refused, and every write after.
        let why = set.protection(&bare.join("HEAD"), &[w]).unwrap();
        assert!(
            why.reason(&bare.join("HEAD")).contains("bare repository"),
            "{why:?}"
        );
        std::fs::write(bare.join("HEAD"), "ref: refs/heads/main\n").unwrap();
        assert!(set.protection(&bare.join("config"), &[w]).is_some());
        assert!(set
            .protection(&bare.join("hooks/pre-commit"), &[w])
            .is_some());
        // A common directory has no HEAD of its own.
        let common = w.join("lk/common");
        std::fs::create_dir_all(common.join("objects")).unwrap();
        assert!(set.protection(&common.join("config"), &[w]).is_none());
        std::fs::create_dir_all(common.join("refs")).unwrap();
        assert!(set.protection(&common.join("config"), &[w]).is_some());
        assert!(set
            .protection(&common.join("hooks/post-checkout"), &[w])
            .is_some());
        assert!(set
            .protection(&common.join("objects/model.py"), &[w])
            .is_none());
        // The workspace's own top, made a common directory: its config
        // and hooks are refused, its other files not.
        std::fs::create_dir_all(w.join("objects")).unwrap();
        assert!(set.protection(&w.join("config"), &[w]).is_none());
        std::fs::create_dir_all(w.join("refs")).unwrap();
        assert!(set.protection(&w.join("config"), &[w]).is_some());
        assert!(set.protection(&w.join("hooks/pre-commit"), &[w]).is_some());
        assert!(set.protection(&w.join("notes.txt"), &[w]).is_none());
        // A HEAD alone is not one.
        std::fs::create_dir_all(w.join("other")).unwrap();
        std::fs::write(w.join("other/HEAD"), "x").unwrap();
        assert!(set.protection(&w.join("other/config"), &[w]).is_none());
    }

    #[test]
    fn reasons_name_the_file_and_why() {
        let set = ProtectedSet::new(&cfg());
        let p = set
            .protection(Path::new("/w/.mcp.json"), &[Path::new("/w")])
            .unwrap();
        let r = p.reason(Path::new("/w/.mcp.json"));
        assert!(
            r.contains("`/w/.mcp.json`") && r.contains("Claude Code start programs"),
            "{r}"
        );
    }

    #[test]
    fn literal_paths_cover_roots_home_and_rampart() {
        let mut c = cfg();
        c.protect.rampart_paths = vec!["/home/u/.config/rampart".into()];
        let set = ProtectedSet::new(&c);
        let paths = set.literal_paths(&[Path::new("/w"), Path::new("/r")]);
        for p in [
            "/home/u/.local/state/rampart",
            "/home/u/.config/rampart",
            "/w/.mcp.json",
            "/r/.mcp.json",
            "/w/.claude",
            "/w/.envrc",
            "/w/rampart.toml",
            "/home/u/.bashrc",
            "/home/u/.config/git",
        ] {
            assert!(paths.contains(&PathBuf::from(p)), "{p} in {paths:?}");
        }
        assert!(!paths.iter().any(|p| p.to_string_lossy().contains(".git/")));
    }

    #[test]
    fn entries_are_checked() {
        assert!(check_protect_entry("").is_err());
        assert!(check_protect_entry("a/../b").is_err());
        assert!(check_protect_entry("[").is_err());
        assert!(check_protect_entry("~user/x").is_err());
        assert!(check_protect_entry("tools/*.sh").is_ok());
        assert!(check_unprotect_entry("**/.vscode/**").is_ok());
        assert!(check_unprotect_entry(".vscode/**").is_err());
        assert!(check_unprotect_entry("src/**").is_err());
    }
}
