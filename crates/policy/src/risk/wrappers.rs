//! Programs that run another command (`env`, `nice`, `sudo`, `uv run`, `bwrap`…): how each takes the command it runs.

use super::{basename, has, Path, Word, WrapperSpec, RC_FILES};

/// The shell command of a `bind -x` binding `KEYSEQ:COMMAND` (the key
/// sequence may be quoted, and so may the command).
pub(super) fn bound_command(binding: &str) -> String {
    let b = binding.trim_start();
    let after_key = match b.strip_prefix('"') {
        Some(rest) => {
            let mut escaped = false;
            let end = rest.char_indices().find(|&(_, c)| {
                let close = c == '"' && !escaped;
                escaped = c == '\\' && !escaped;
                close
            });
            end.map_or("", |(i, _)| rest.get(i + 1..).unwrap_or_default())
        }
        None => b,
    };
    let cmd = after_key
        .split_once(':')
        .map_or(after_key, |(_, c)| c)
        .trim();
    let unquoted = ['"', '\'']
        .iter()
        .find_map(|q| cmd.strip_prefix(*q).and_then(|c| c.strip_suffix(*q)));
    unquoted.unwrap_or(cmd).to_owned()
}

/// Files `source`/`.` may read from outside the workspace without asking:
/// root-owned system files (`/etc/os-release`, `/usr/share/…`, `/opt/…`),
/// the user's own shell startup files and the environment scripts tool
/// installers put in the home directory (`~/.cargo/env`, `~/.nvm/nvm.sh`).
/// Anything else (`/tmp`, another home, `/dev/shm`) may be planted code.
pub(super) fn trusted_startup_file(p: &Path, home: Option<&Path>) -> bool {
    let system = ["/etc", "/usr", "/opt", "/lib", "/snap", "/nix/store"]
        .iter()
        .any(|d| p.starts_with(d));
    let name = p
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let in_home = |rel: &str| home.is_some_and(|h| p == h.join(rel));
    system
        || (home.is_some_and(|h| p.parent() == Some(h)) && has(RC_FILES, &name))
        || [
            ".cargo/env",
            ".nvm/nvm.sh",
            ".sdkman/bin/sdkman-init.sh",
            ".rye/env",
            ".local/bin/env",
            ".ghcup/env",
            ".asdf/asdf.sh",
        ]
        .iter()
        .any(|r| in_home(r))
}

/// The wrapper spec of `name` when `argv` uses it as a wrapper.
pub(super) fn wrapper_spec(name: &str, argv: &[Word]) -> Option<WrapperSpec> {
    let (_, needs, spec) = WRAPPERS.iter().find(|(names, _, _)| has(names, name))?;
    if !needs.is_empty() && !argv.iter().any(|w| has(needs, w.text())) {
        return None;
    }
    match spec.sub {
        Some(sub) if argv.get(1).map(Word::text) != Some(sub) => None,
        _ => Some(*spec),
    }
}

/// A wrapper that takes nothing before the command.
const PLAIN: WrapperSpec = WrapperSpec {
    sub: None,
    one: &[],
    two: &[],
    operands: 0,
    script: &[],
};

/// Programs that run a command given to them (besides those with an arm
/// of their own: `env`, `nice`, `xargs`…): their names, the words of
/// which one must appear for them to run one (`capsh … -- CMD`), and how
/// they take it.
const WRAPPERS: &[(&[&str], &[&str], WrapperSpec)] = &[
    (
        &["chroot"],
        &[],
        WrapperSpec {
            operands: 1,
            ..PLAIN
        },
    ),
    (
        &[
            "firejail",
            "eatmydata",
            "nocache",
            "ifne",
            "catchsegv",
            "systemd-inhibit",
            "dbus-run-session",
            "dbus-launch",
            "chronic",
            "unbuffer",
            "fakechroot",
            "tsocks",
            "torify",
        ],
        &[],
        PLAIN,
    ),
    (
        &["bwrap"],
        &[],
        WrapperSpec {
            one: BWRAP_ONE,
            two: BWRAP_TWO,
            ..PLAIN
        },
    ),
    (
        &["proot"],
        &[],
        WrapperSpec {
            one: PROOT_ONE,
            ..PLAIN
        },
    ),
    (
        &["fakeroot"],
        &[],
        WrapperSpec {
            one: &["-l", "--lib", "--faked", "-s", "-i", "-b"],
            ..PLAIN
        },
    ),
    (
        &["faketime"],
        &[],
        WrapperSpec {
            one: &["-p"],
            operands: 1,
            ..PLAIN
        },
    ),
    (
        &["setpriv"],
        &[],
        WrapperSpec {
            one: SETPRIV_ONE,
            ..PLAIN
        },
    ),
    (
        &["prlimit"],
        &[],
        WrapperSpec {
            one: &["-p", "--pid", "-o", "--output"],
            ..PLAIN
        },
    ),
    (
        &["numactl"],
        &[],
        WrapperSpec {
            one: NUMACTL_ONE,
            ..PLAIN
        },
    ),
    (
        &["xvfb-run"],
        &[],
        WrapperSpec {
            one: XVFB_RUN_ONE,
            ..PLAIN
        },
    ),
    (
        &["proxychains", "proxychains4"],
        &[],
        WrapperSpec {
            one: &["-f"],
            ..PLAIN
        },
    ),
    (
        &["torsocks"],
        &[],
        WrapperSpec {
            one: &["-u", "-p", "-a", "-P"],
            ..PLAIN
        },
    ),
    (
        &["rlwrap"],
        &[],
        WrapperSpec {
            one: &[
                "-b", "-C", "-D", "-e", "-f", "-F", "-g", "-H", "-l", "-M", "-O", "-P", "-q", "-s",
                "-S", "-t", "-w", "-z",
            ],
            ..PLAIN
        },
    ),
    (
        &["aa-exec"],
        &[],
        WrapperSpec {
            one: &["-p", "--profile", "-n", "--namespace"],
            ..PLAIN
        },
    ),
    (
        &["cpulimit"],
        &[],
        WrapperSpec {
            one: &["-l", "--limit", "-p", "--pid", "-e", "--exe", "-c", "--cpu"],
            ..PLAIN
        },
    ),
    (&["capsh"], &["--"], PLAIN),
    (
        &["sg"],
        &[],
        WrapperSpec {
            operands: 1,
            ..PLAIN
        },
    ),
    (
        &["entr"],
        &[],
        WrapperSpec {
            script: &["-s"],
            ..PLAIN
        },
    ),
    (
        &["nix-shell"],
        &["--run", "--command"],
        WrapperSpec {
            one: &[
                "-p",
                "--packages",
                "-I",
                "--arg",
                "--argstr",
                "-A",
                "--attr",
            ],
            script: &["--run", "--command"],
            ..PLAIN
        },
    ),
    (
        &["direnv"],
        &[],
        WrapperSpec {
            sub: Some("exec"),
            operands: 1,
            ..PLAIN
        },
    ),
    (
        &["ssh-agent"],
        &[],
        WrapperSpec {
            one: &["-a", "-E", "-t", "-P", "-O"],
            ..PLAIN
        },
    ),
    (
        &["machinectl"],
        &[],
        WrapperSpec {
            sub: Some("shell"),
            one: &["-M", "--machine", "-H", "--host", "-E", "--setenv", "--uid"],
            operands: 1,
            ..PLAIN
        },
    ),
    (
        &["uv"],
        &[],
        WrapperSpec {
            sub: Some("run"),
            one: UV_RUN_ONE,
            ..PLAIN
        },
    ),
    (
        &["poetry"],
        &[],
        WrapperSpec {
            sub: Some("run"),
            one: &["-C", "--directory", "-P", "--project"],
            ..PLAIN
        },
    ),
    (
        &["bundle"],
        &[],
        WrapperSpec {
            sub: Some("exec"),
            one: ENV_MANAGER_ONE,
            ..PLAIN
        },
    ),
    (
        &[
            "pipenv",
            "rye",
            "pdm",
            "hatch",
            "pixi",
            "conda",
            "mamba",
            "micromamba",
        ],
        &[],
        WrapperSpec {
            sub: Some("run"),
            one: ENV_MANAGER_ONE,
            ..PLAIN
        },
    ),
];

const BWRAP_ONE: &[&str] = &[
    "--chdir",
    "--tmpfs",
    "--proc",
    "--dev",
    "--dir",
    "--unsetenv",
    "--uid",
    "--gid",
    "--hostname",
    "--remount-ro",
    "--perms",
    "--size",
    "--cap-add",
    "--cap-drop",
    "--seccomp",
    "--userns",
    "--userns2",
    "--pidns",
    "--args",
    "--exec-label",
    "--file-label",
    "--lock-file",
    "--sync-fd",
    "--info-fd",
    "--json-status-fd",
    "--block-fd",
    "--userns-block-fd",
    "--add-seccomp-fd",
    "--argv0",
    "--mqueue",
];

const BWRAP_TWO: &[&str] = &[
    "--bind",
    "--ro-bind",
    "--dev-bind",
    "--bind-try",
    "--ro-bind-try",
    "--dev-bind-try",
    "--symlink",
    "--setenv",
    "--file",
    "--bind-data",
    "--ro-bind-data",
    "--chmod",
    "--overlay-src",
];

const PROOT_ONE: &[&str] = &[
    "-r",
    "-R",
    "-S",
    "-b",
    "--bind",
    "-m",
    "--mount",
    "-w",
    "--cwd",
    "-k",
    "--kernel-release",
    "-q",
    "--qemu",
];

const SETPRIV_ONE: &[&str] = &[
    "--reuid",
    "--regid",
    "--euid",
    "--egid",
    "--ruid",
    "--rgid",
    "--groups",
    "--inh-caps",
    "--ambient-caps",
    "--bounding-set",
    "--securebits",
    "--pdeathsig",
    "--selinux-label",
    "--apparmor-profile",
    "--landlock-access",
    "--landlock-rule",
];

const NUMACTL_ONE: &[&str] = &[
    "-C",
    "-N",
    "-m",
    "-p",
    "-i",
    "-P",
    "--cpunodebind",
    "--physcpubind",
    "--membind",
    "--preferred",
    "--interleave",
    "--preferred-many",
];

const XVFB_RUN_ONE: &[&str] = &[
    "-n",
    "--server-num",
    "-s",
    "--server-args",
    "-f",
    "--auth-file",
    "-e",
    "--error-file",
    "-p",
    "--xauth-protocol",
    "-w",
    "--wait",
];

const UV_RUN_ONE: &[&str] = &[
    "--with",
    "--with-editable",
    "--with-requirements",
    "--python",
    "-p",
    "--env-file",
    "--directory",
    "--project",
    "--package",
    "--extra",
    "--group",
    "--index",
    "--default-index",
    "--index-url",
    "--extra-index-url",
    "-i",
];

/// `pipenv run`, `conda run`, `bundle exec`…: the environment's options.
const ENV_MANAGER_ONE: &[&str] = &[
    "-n",
    "--name",
    "-p",
    "--prefix",
    "-e",
    "--environment",
    "--manifest-path",
];

/// Programs that run the command after their options and assignments
/// (one list, so that every check that looks through wrappers knows the
/// same ones).
pub(super) const PLAIN_WRAPPERS: &[&str] = &[
    "env", "sudo", "doas", "nice", "nohup", "timeout", "exec", "command", "builtin", "stdbuf",
    "setsid", "ionice", "time", "busybox",
];

/// The command a wrapper line runs (`sudo -u x env A=1 nice sh` is `sh`,
/// `rampart exec -- sh` is `sh`), for pipeline checks.
pub(super) fn unwrap_wrappers(argv: &[Word]) -> &[Word] {
    let mut rest = argv;
    loop {
        let Some(p) = rest.first().and_then(Word::literal).map(basename) else {
            return rest;
        };
        let wrapper = has(PLAIN_WRAPPERS, p) || p == "rampart";
        if !wrapper {
            return rest;
        }
        let tail = rest.get(1..).unwrap_or_default();
        if p == "rampart" {
            match tail.iter().position(|w| w.text() == "--") {
                Some(i) => rest = tail.get(i + 1..).unwrap_or_default(),
                None => return rest,
            }
            continue;
        }
        let skip = tail
            .iter()
            .take_while(|w| {
                let t = w.text();
                t.starts_with('-')
                    || (t.contains('=') && !t.starts_with('='))
                    || t.chars()
                        .all(|c| c.is_ascii_digit() || c == '.' || c == 's')
            })
            .count();
        rest = tail.get(skip..).unwrap_or_default();
    }
}

/// Which options of a wrapper take a value: a flag taken for a value
/// would hide the command after it (`time -p rm …`, `setsid -c rm …`,
/// `flock -n F rm …`), a value taken for a flag would be judged as the
/// command.
const VALUED_OPTIONS: &[(&str, &[&str])] = &[
    ("nice", &["-n", "--adjustment"]),
    ("stdbuf", &["-i", "-o", "-e"]),
    ("ionice", &["-c", "-n", "--class", "--classdata"]),
    ("time", &["-o", "-f", "--output", "--format"]),
    ("caffeinate", &["-t", "-w"]),
    ("flock", &["-w", "-E", "--timeout", "--conflict-exit-code"]),
    ("timeout", &["-s", "-k", "--signal", "--kill-after"]),
    ("chrt", CHRT_VALUED),
    ("taskset", CHRT_VALUED),
    (
        "unshare",
        &[
            "-S", "-G", "-R", "-w", "--setuid", "--setgid", "--root", "--wd",
        ],
    ),
    (
        "nsenter",
        &["-t", "--target", "-S", "-G", "--setuid", "--setgid"],
    ),
    (
        "strace",
        &[
            "-o", "-e", "-p", "-s", "-u", "-E", "-O", "-a", "-b", "-I", "-P", "-X", "-S",
        ],
    ),
    (
        "ltrace",
        &[
            "-o", "-e", "-p", "-s", "-u", "-a", "-A", "-D", "-F", "-l", "-n", "-w", "-x", "-E",
        ],
    ),
    (
        "perf",
        &[
            "-o", "-e", "-p", "-t", "-c", "-F", "-C", "-G", "-x", "-I", "-r", "-u", "--output",
            "--event", "--repeat",
        ],
    ),
    (
        "systemd-run",
        &[
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
        ],
    ),
    (
        "screen",
        &["-S", "-c", "-p", "-t", "-e", "-h", "-T", "-X", "-Logfile"],
    ),
    ("xe", &["-f", "-j", "-n", "-I", "-s", "-N"]),
    (
        "xargs",
        &[
            "-n",
            "-P",
            "-L",
            "-s",
            "-d",
            "-E",
            "-I",
            "-a",
            "--max-args",
            "--max-procs",
            "--max-chars",
            "--delimiter",
            "--arg-file",
            "--process-slot-var",
        ],
    ),
];

const CHRT_VALUED: &[&str] = &[
    "-T",
    "-P",
    "-D",
    "--sched-runtime",
    "--sched-period",
    "--sched-deadline",
];

/// The options of wrapper `name` that take a value (none when it is not
/// in [`VALUED_OPTIONS`]).
pub(super) fn valued_options(name: &str) -> &'static [&'static str] {
    VALUED_OPTIONS
        .iter()
        .find(|(n, _)| *n == name)
        .map_or(&[], |(_, v)| v)
}
