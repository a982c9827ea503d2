//! The seccomp filter installed in every confined sandbox.
//!
//! A deny list on top of Landlock and the namespaces: the kernel surfaces a
//! confined command never needs and that sandbox escapes keep using. Denied
//! calls fail with `EPERM`, so programs see an ordinary error.

use std::collections::BTreeMap;

use seccompiler::{
    BpfProgram, SeccompAction, SeccompCmpArgLen, SeccompCmpOp, SeccompCondition, SeccompFilter,
    SeccompRule, TargetArch,
};

/// What the filter lets through besides the always-allowed calls.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct SeccompPolicy {
    /// AF_INET, AF_INET6 and AF_NETLINK sockets.
    pub(crate) network: bool,
    /// AF_UNIX sockets made with `socket(2)` (pathname and abstract).
    pub(crate) unix_sockets: bool,
}

/// System calls denied outright, by name, for the error messages of `doctor`.
pub const DENIED_SYSCALLS: &[&str] = &[
    "ptrace",
    "process_vm_readv",
    "process_vm_writev",
    "pidfd_getfd",
    "kcmp",
    "mount",
    "umount2",
    "pivot_root",
    "chroot",
    "fsopen",
    "fsconfig",
    "fsmount",
    "fspick",
    "move_mount",
    "open_tree",
    "mount_setattr",
    "setns",
    "bpf",
    "perf_event_open",
    "keyctl",
    "add_key",
    "request_key",
    "kexec_load",
    "kexec_file_load",
    "init_module",
    "finit_module",
    "delete_module",
    "io_uring_setup",
    "io_uring_enter",
    "io_uring_register",
    "userfaultfd",
    "name_to_handle_at",
    "open_by_handle_at",
    "swapon",
    "swapoff",
    "reboot",
    "acct",
    "syslog",
    "quotactl",
    "vhangup",
];

const DENIED: &[libc::c_long] = &[
    libc::SYS_ptrace,
    libc::SYS_process_vm_readv,
    libc::SYS_process_vm_writev,
    libc::SYS_pidfd_getfd,
    libc::SYS_kcmp,
    libc::SYS_mount,
    libc::SYS_umount2,
    libc::SYS_pivot_root,
    libc::SYS_chroot,
    libc::SYS_fsopen,
    libc::SYS_fsconfig,
    libc::SYS_fsmount,
    libc::SYS_fspick,
    libc::SYS_move_mount,
    libc::SYS_open_tree,
    libc::SYS_mount_setattr,
    libc::SYS_setns,
    libc::SYS_bpf,
    libc::SYS_perf_event_open,
    libc::SYS_keyctl,
    libc::SYS_add_key,
    libc::SYS_request_key,
    libc::SYS_kexec_load,
    libc::SYS_kexec_file_load,
    libc::SYS_init_module,
    libc::SYS_finit_module,
    libc::SYS_delete_module,
    libc::SYS_io_uring_setup,
    libc::SYS_io_uring_enter,
    libc::SYS_io_uring_register,
    libc::SYS_userfaultfd,
    libc::SYS_name_to_handle_at,
    libc::SYS_open_by_handle_at,
    libc::SYS_swapon,
    libc::SYS_swapoff,
    libc::SYS_reboot,
    libc::SYS_acct,
    libc::SYS_syslog,
    libc::SYS_quotactl,
    libc::SYS_vhangup,
];

// Terminal ioctls that push input into, or take over, the controlling terminal.
/// `SOCK_PACKET`, obsolete but still accepted by the kernel.
const SOCK_PACKET: libc::c_int = 10;
const TIOCSTI: u64 = 0x5412;
const TIOCLINUX: u64 = 0x541C;
/// Sets the terminal's line discipline: `N_NULL` on the user's terminal
/// would leave their shell deaf after the command ends.
const TIOCSETD: u64 = 0x5423;

#[cfg(target_arch = "x86_64")]
const ARCH: TargetArch = TargetArch::x86_64;
#[cfg(target_arch = "aarch64")]
const ARCH: TargetArch = TargetArch::aarch64;

/// Errors building the filter (never expected: the rules are static).
#[derive(Debug, thiserror::Error)]
#[error("cannot build the seccomp filter: {0}")]
pub(crate) struct BuildFilterError(seccompiler::Error);

fn cond(
    arg: u8,
    len: SeccompCmpArgLen,
    op: SeccompCmpOp,
    value: u64,
) -> Result<SeccompCondition, BuildFilterError> {
    SeccompCondition::new(arg, len, op, value).map_err(|e| BuildFilterError(e.into()))
}

fn rule(conditions: Vec<SeccompCondition>) -> Result<SeccompRule, BuildFilterError> {
    SeccompRule::new(conditions).map_err(|e| BuildFilterError(e.into()))
}

fn af(v: libc::c_int) -> u64 {
    u64::from(v.cast_unsigned())
}

/// Builds the BPF program for `policy`.
pub(crate) fn build(policy: SeccompPolicy) -> Result<BpfProgram, BuildFilterError> {
    use SeccompCmpArgLen::{Dword, Qword};
    use SeccompCmpOp::{Eq, MaskedEq, Ne};

    let mut rules: BTreeMap<i64, Vec<SeccompRule>> = BTreeMap::new();
    for &nr in DENIED {
        rules.insert(nr, Vec::new());
    }

    // No new user namespace, by unshare(2) or clone(2). clone3(2) keeps its
    // flags in memory that seccomp cannot read, so it fails with ENOSYS in
    // the prefix below and the C library falls back to clone(2).
    let newuser = u64::from(libc::CLONE_NEWUSER.cast_unsigned());
    rules.insert(
        libc::SYS_unshare,
        vec![rule(vec![cond(0, Qword, MaskedEq(newuser), newuser)?])?],
    );
    rules.insert(
        libc::SYS_clone,
        vec![rule(vec![cond(0, Qword, MaskedEq(newuser), newuser)?])?],
    );

    // ioctl's request is an int: compare only the low 32 bits so that garbage
    // in the upper half cannot slip past the filter.
    rules.insert(
        libc::SYS_ioctl,
        vec![
            rule(vec![cond(1, Dword, Eq, TIOCSTI)?])?,
            rule(vec![cond(1, Dword, Eq, TIOCLINUX)?])?,
            rule(vec![cond(1, Dword, Eq, TIOCSETD)?])?,
        ],
    );

    // socket(2): only the families the policy allows.
    let mut allowed = Vec::new();
    if policy.network {
        allowed.extend([af(libc::AF_INET), af(libc::AF_INET6), af(libc::AF_NETLINK)]);
    }
    if policy.unix_sockets {
        allowed.push(af(libc::AF_UNIX));
    }
    let socket_rule = allowed
        .iter()
        .map(|&f| cond(0, Dword, Ne, f))
        .collect::<Result<Vec<_>, _>>()?;
    rules.insert(
        libc::SYS_socket,
        if socket_rule.is_empty() {
            Vec::new()
        } else {
            vec![rule(socket_rule)?]
        },
    );

    // socketpair(2): AF_UNIX only, and unless unix sockets are allowed, no
    // datagram pairs: sendto(2) on one would reach any host datagram socket
    // by path.
    let mut pair_rules = vec![rule(vec![cond(0, Dword, Ne, af(libc::AF_UNIX))?])?];
    if !policy.unix_sockets {
        for ty in [
            libc::SOCK_DGRAM,
            libc::SOCK_RAW,
            libc::SOCK_RDM,
            SOCK_PACKET,
        ] {
            pair_rules.push(rule(vec![cond(1, Dword, MaskedEq(0xf), af(ty))?])?);
        }
    }
    rules.insert(libc::SYS_socketpair, pair_rules);

    let filter = SeccompFilter::new(
        rules,
        SeccompAction::Allow,
        SeccompAction::Errno(libc::EPERM.cast_unsigned()),
        ARCH,
    )
    .map_err(|e| BuildFilterError(e.into()))?;
    let body: BpfProgram = filter
        .try_into()
        .map_err(|e: seccompiler::BackendError| BuildFilterError(e.into()))?;

    let mut program = prefix();
    program.extend(body);
    Ok(program)
}

/// Instructions run before seccompiler's program: syscall numbers with the
/// x32 bit set (which would otherwise bypass a deny list keyed on x86_64
/// numbers) and clone3(2) fail with ENOSYS.
fn prefix() -> BpfProgram {
    const BPF_LD_W_ABS: u16 = 0x20;
    const BPF_JMP_JGE_K: u16 = 0x35;
    const BPF_JMP_JEQ_K: u16 = 0x15;
    const BPF_JMP_JA: u16 = 0x05;
    const BPF_RET_K: u16 = 0x06;
    const SECCOMP_RET_ERRNO: u32 = 0x0005_0000;
    const X32_SYSCALL_BIT: u32 = 0x4000_0000;
    let ins = |code, jt, jf, k| seccompiler::sock_filter { code, jt, jf, k };
    let clone3 = u32::try_from(libc::SYS_clone3).unwrap_or(u32::MAX);
    vec![
        ins(BPF_LD_W_ABS, 0, 0, 0),                // A = seccomp_data.nr
        ins(BPF_JMP_JGE_K, 2, 0, X32_SYSCALL_BIT), // x32 call -> ENOSYS
        ins(BPF_JMP_JEQ_K, 1, 0, clone3),          // clone3 -> ENOSYS
        ins(BPF_JMP_JA, 0, 0, 1),                  // otherwise on to the body
        ins(
            BPF_RET_K,
            0,
            0,
            SECCOMP_RET_ERRNO | libc::ENOSYS.cast_unsigned(),
        ),
    ]
}

/// Installs `program` on the calling thread (no_new_privs must be set).
pub(crate) fn install(program: &BpfProgram) -> Result<(), BuildFilterError> {
    seccompiler::apply_filter(program).map_err(BuildFilterError)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_policy_builds() {
        for network in [false, true] {
            for unix_sockets in [false, true] {
                let p = build(SeccompPolicy {
                    network,
                    unix_sockets,
                });
                assert!(
                    p.is_ok_and(|p| p.len() > 40),
                    "policy {network}/{unix_sockets}"
                );
            }
        }
    }

    #[test]
    fn denied_names_match_numbers() {
        assert_eq!(DENIED.len(), DENIED_SYSCALLS.len());
    }
}
