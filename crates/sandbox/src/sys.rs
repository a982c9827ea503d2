//! Thin wrappers over the syscalls that have no safe binding in `nix`,
//! `landlock` or `seccompiler`. Every `unsafe` block of the workspace lives here.
#![expect(unsafe_code, reason = "the only module that calls raw syscalls")]

use std::io;

use nix::unistd::Pid;

/// Namespace flags for [`clone_process`].
pub(crate) const CLONE_NEWUSER: libc::c_int = libc::CLONE_NEWUSER;

/// `clone(2)` with a NULL stack: like `fork(2)`, but the child starts in the
/// namespaces named by `flags`. Returns `None` in the child.
///
/// The caller must be single-threaded (checked by [`thread_count`]).
pub(crate) fn clone_process(flags: libc::c_int) -> io::Result<Option<Pid>> {
    let flags = u64::from((flags | libc::SIGCHLD).cast_unsigned());
    // SAFETY: clone(2) with a NULL stack pointer duplicates the calling
    // process like fork(2); the child resumes on its own copy of this stack.
    // The process is single-threaded (the caller checked), so no other
    // thread can hold a lock the child would wait on forever.
    let ret = unsafe { libc::syscall(libc::SYS_clone, flags, 0usize, 0usize, 0usize, 0usize) };
    match ret {
        -1 => Err(io::Error::last_os_error()),
        0 => Ok(None),
        pid => Ok(Some(Pid::from_raw(
            libc::pid_t::try_from(pid).map_err(|_| io::Error::other("clone returned a bad pid"))?,
        ))),
    }
}

/// `fork(2)`; returns `None` in the child. The caller must be single-threaded.
pub(crate) fn fork_process() -> io::Result<Option<Pid>> {
    // SAFETY: the process is single-threaded at this point (the init process
    // of the sandbox never starts threads), so the child may run any code.
    match unsafe { nix::unistd::fork() } {
        Ok(nix::unistd::ForkResult::Child) => Ok(None),
        Ok(nix::unistd::ForkResult::Parent { child }) => Ok(Some(child)),
        Err(e) => Err(io::Error::from(e)),
    }
}

/// Ends the calling process at once, without running exit handlers: the
/// right way out of a forked child that must not flush the parent's buffers.
pub(crate) fn exit_now(code: i32) -> ! {
    // SAFETY: _exit(2) takes no pointers and never returns.
    unsafe { libc::_exit(code) }
}

/// The Landlock ABI version the kernel offers, 0 when Landlock is absent or
/// disabled.
pub(crate) fn landlock_abi() -> i32 {
    const LANDLOCK_CREATE_RULESET_VERSION: libc::c_ulong = 1;
    // SAFETY: with a NULL attribute pointer, a zero size and the VERSION flag,
    // landlock_create_ruleset(2) only returns the ABI version; nothing is read
    // or written through pointers.
    let ret = unsafe {
        libc::syscall(
            libc::SYS_landlock_create_ruleset,
            std::ptr::null::<libc::c_void>(),
            0usize,
            LANDLOCK_CREATE_RULESET_VERSION,
        )
    };
    i32::try_from(ret).unwrap_or(0).max(0)
}

fn prctl(option: libc::c_int, arg2: libc::c_ulong) -> io::Result<()> {
    // SAFETY: the options passed by this module (PR_CAPBSET_DROP,
    // PR_CAP_AMBIENT, PR_SET_SECUREBITS) take integer arguments only.
    let ret = unsafe {
        libc::prctl(
            option,
            arg2,
            0 as libc::c_ulong,
            0 as libc::c_ulong,
            0 as libc::c_ulong,
        )
    };
    if ret == -1 {
        Err(io::Error::last_os_error())
    } else {
        Ok(())
    }
}

/// Removes every capability from the calling process for good: securebits
/// that make uid 0 meaningless and lock that in, an empty bounding set, no
/// ambient capabilities, and empty effective, permitted and inheritable sets.
/// `last_cap` is `/proc/sys/kernel/cap_last_cap`.
pub(crate) fn drop_all_capabilities(last_cap: u32) -> io::Result<()> {
    #[repr(C)]
    struct CapHeader {
        version: u32,
        pid: libc::c_int,
    }
    #[repr(C)]
    #[derive(Clone, Copy)]
    struct CapData {
        effective: u32,
        permitted: u32,
        inheritable: u32,
    }
    const LINUX_CAPABILITY_VERSION_3: u32 = 0x2008_0522;
    const SECBIT_NOROOT: libc::c_ulong = 1 << 0;
    const SECBIT_NOROOT_LOCKED: libc::c_ulong = 1 << 1;
    const SECBIT_NO_SETUID_FIXUP: libc::c_ulong = 1 << 2;
    const SECBIT_NO_SETUID_FIXUP_LOCKED: libc::c_ulong = 1 << 3;
    const SECBIT_KEEP_CAPS_LOCKED: libc::c_ulong = 1 << 5;
    const SECBIT_NO_CAP_AMBIENT_RAISE: libc::c_ulong = 1 << 6;
    const SECBIT_NO_CAP_AMBIENT_RAISE_LOCKED: libc::c_ulong = 1 << 7;
    prctl(
        libc::PR_SET_SECUREBITS,
        SECBIT_NOROOT
            | SECBIT_NOROOT_LOCKED
            | SECBIT_NO_SETUID_FIXUP
            | SECBIT_NO_SETUID_FIXUP_LOCKED
            | SECBIT_KEEP_CAPS_LOCKED
            | SECBIT_NO_CAP_AMBIENT_RAISE
            | SECBIT_NO_CAP_AMBIENT_RAISE_LOCKED,
    )?;
    for cap in 0..=last_cap {
        match prctl(libc::PR_CAPBSET_DROP, libc::c_ulong::from(cap)) {
            // A capability newer than this kernel: nothing to drop.
            Err(e) if e.raw_os_error() == Some(libc::EINVAL) => {}
            other => other?,
        }
    }
    prctl(
        libc::PR_CAP_AMBIENT,
        libc::PR_CAP_AMBIENT_CLEAR_ALL as libc::c_ulong,
    )?;
    let mut header = CapHeader {
        version: LINUX_CAPABILITY_VERSION_3,
        pid: 0,
    };
    let data = [CapData {
        effective: 0,
        permitted: 0,
        inheritable: 0,
    }; 2];
    // SAFETY: header and data are valid, properly sized structures for
    // capset(2) version 3, which reads two data elements.
    let ret = unsafe { libc::syscall(libc::SYS_capset, &raw mut header, data.as_ptr()) };
    if ret == -1 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}

/// Number of threads of the calling process, from `/proc/self/status`.
pub(crate) fn thread_count() -> io::Result<usize> {
    let status = std::fs::read_to_string("/proc/self/status")?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("Threads:"))
        .and_then(|v| v.trim().parse().ok())
        .ok_or_else(|| io::Error::other("no Threads line in /proc/self/status"))
}

/// Marks every descriptor from `first` up close-on-exec (`close_range(2)`
/// with `CLOSE_RANGE_CLOEXEC`), so that none of them reaches the program.
pub(crate) fn close_on_exec_from(first: u32) -> io::Result<()> {
    const CLOSE_RANGE_CLOEXEC: libc::c_uint = 1 << 2;
    // SAFETY: close_range(2) takes integers only; with CLOSE_RANGE_CLOEXEC
    // it closes nothing now, it only sets FD_CLOEXEC on the range.
    let ret = unsafe {
        libc::syscall(
            libc::SYS_close_range,
            first,
            libc::c_uint::MAX,
            CLOSE_RANGE_CLOEXEC,
        )
    };
    if ret == -1 {
        Err(io::Error::last_os_error())
    } else {
        Ok(())
    }
}

/// Makes the calling process non-dumpable (`PR_SET_DUMPABLE` 0): its
/// `/proc/PID/environ`, `mem`, `maps` and `fd` become readable only with
/// `CAP_SYS_PTRACE` in the user namespace that owns its memory, which for
/// the sandbox's init is the host's, so nothing inside can read them.
/// Children inherit the flag until they `execve` a new program.
pub(crate) fn make_undumpable() -> io::Result<()> {
    prctl(libc::PR_SET_DUMPABLE, 0)
}

/// Overwrites the calling process's original argument and environment
/// strings (the areas `/proc/PID/cmdline` and `/proc/PID/environ` show)
/// with zeros, so that a forked process which will never `execve` shows
/// neither. The areas' bounds come from `/proc/self/stat`.
pub(crate) fn scrub_args_and_environ() -> io::Result<()> {
    let stat = std::fs::read_to_string("/proc/self/stat")?;
    // Fields after the command name, which ends at the last ')'; the first
    // of them is field 3 of proc(5).
    let rest = stat
        .rsplit_once(')')
        .map(|(_, r)| r)
        .ok_or_else(|| io::Error::other("malformed /proc/self/stat"))?;
    let fields: Vec<usize> = rest
        .split_whitespace()
        .skip(45)
        .take(4)
        .map(|f| f.parse::<usize>().map_err(io::Error::other))
        .collect::<Result<_, _>>()?;
    let [arg_start, arg_end, env_start, env_end] = fields[..] else {
        return Err(io::Error::other(
            "/proc/self/stat lacks the argument bounds",
        ));
    };
    for (start, end) in [(arg_start, arg_end), (env_start, env_end)] {
        let len = end.saturating_sub(start);
        if start == 0 || len == 0 || len > 64 << 20 {
            continue;
        }
        // SAFETY: [start, end) is the area the kernel copied the initial
        // argument (or environment) strings into, on this process's own
        // stack mapping, which stays mapped and writable for the life of
        // the process. The process is single-threaded (the sandbox's init)
        // and holds no Rust reference into these bytes: the standard
        // library copied what it needed at start-up; libc's `environ`
        // pointers now see empty strings.
        unsafe {
            std::ptr::write_bytes(std::ptr::with_exposed_provenance_mut::<u8>(start), 0, len);
        }
    }
    Ok(())
}

/// `struct mount_attr` of `mount_setattr(2)`.
#[repr(C)]
struct MountAttr {
    attr_set: u64,
    attr_clr: u64,
    propagation: u64,
    userns_fd: u64,
}

/// `MOUNT_ATTR_RDONLY`.
pub(crate) const MOUNT_ATTR_RDONLY: u64 = 0x1;

/// `mount_setattr(2)` on the mount at `path` (and, with `recursive`, on
/// every mount beneath it): sets the attributes in `set` and clears those in
/// `clear`. All or nothing: one mount that cannot change fails the call.
pub(crate) fn mount_setattr(
    path: &std::path::Path,
    recursive: bool,
    set: u64,
    clear: u64,
) -> io::Result<()> {
    use std::os::unix::ffi::OsStrExt;
    let path = std::ffi::CString::new(path.as_os_str().as_bytes())
        .map_err(|_| io::Error::from_raw_os_error(libc::EINVAL))?;
    let attr = MountAttr {
        attr_set: set,
        attr_clr: clear,
        propagation: 0,
        userns_fd: 0,
    };
    let flags = if recursive { libc::AT_RECURSIVE } else { 0 } | libc::AT_SYMLINK_NOFOLLOW;
    // SAFETY: `path` is a NUL-terminated string and `attr` a fully
    // initialised `struct mount_attr` whose size is passed with it; both
    // outlive the call, and the kernel only reads them.
    let ret = unsafe {
        libc::syscall(
            libc::SYS_mount_setattr,
            libc::AT_FDCWD,
            path.as_ptr(),
            flags,
            std::ptr::from_ref(&attr),
            std::mem::size_of::<MountAttr>(),
        )
    };
    if ret == 0 {
        Ok(())
    } else {
        Err(io::Error::last_os_error())
    }
}

/// Has the program `cmd` starts inherit `fd` (open in this process,
/// close-on-exec) at the same number: in the child, between `fork` and
/// `exec`, its close-on-exec flag is cleared. Other programs this process
/// starts at the same time do not get it (it stays close-on-exec here).
pub(crate) fn inherit_fd(cmd: &mut std::process::Command, fd: std::os::fd::RawFd) {
    use std::os::unix::process::CommandExt as _;
    // SAFETY: the closure runs in the forked child before `exec`; it only
    // calls fcntl(2), which is async-signal-safe, allocates nothing and
    // takes no lock. `fd` is open in the child (fork copies the table).
    unsafe {
        cmd.pre_exec(move || {
            if libc::fcntl(fd, libc::F_SETFD, 0) == -1 {
                return Err(io::Error::last_os_error());
            }
            Ok(())
        });
    }
}
