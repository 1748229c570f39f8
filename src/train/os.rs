//! The few operating-system facts runs need (Linux): whether a process is still
//! the one that was started, stopping a process group, children that end with
//! their parent, a SIGTERM flag, and the peak memory of this process. The `unsafe`
//! calls into libc live here only.

use std::sync::atomic::{AtomicBool, Ordering};

/// The state letter and start time (clock ticks after boot) of process `pid`
/// from `/proc/<pid>/stat`.
fn stat(pid: u32) -> Option<(char, u64)> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name is in parentheses and may hold anything: split after the last one.
    let rest = &text[text.rfind(')')? + 1..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let state = fields.first()?.chars().next()?;
    // Field 22 of stat(5) is the start time; `rest` begins at field 3.
    let start = fields.get(19)?.parse().ok()?;
    Some((state, start))
}

/// The start time of this process, to tell it from a later process with the same pid.
pub(crate) fn own_start_time() -> Option<u64> {
    stat(std::process::id()).map(|(_, start)| start)
}

/// Whether `pid` is a live (not zombie) process started at `start` (when known).
pub(crate) fn is_alive(pid: u32, start: Option<u64>) -> bool {
    match stat(pid) {
        Some((state, started)) => {
            !matches!(state, 'Z' | 'X' | 'x') && start.is_none_or(|s| s == started)
        }
        None => false,
    }
}

/// Sends SIGTERM to every process of group `group`.
pub(crate) fn terminate_group(group: u32) -> std::io::Result<()> {
    let group = libc::pid_t::try_from(group).map_err(std::io::Error::other)?;
    // SAFETY: kill(2) with a negative pid signals a process group; it takes no
    // pointers and only reports failure through its return value.
    let rc = unsafe { libc::kill(-group, libc::SIGTERM) };
    if rc == 0 {
        Ok(())
    } else {
        Err(std::io::Error::last_os_error())
    }
}

/// Makes the process `command` starts get SIGKILL when this one dies, so that a
/// killed worker leaves no child working on behind it.
pub(crate) fn end_with_parent(command: &mut std::process::Command) {
    use std::os::unix::process::CommandExt;
    // SAFETY: getpid, prctl and getppid are async-signal-safe and take no pointers;
    // the closure allocates nothing, as a pre_exec hook between fork and exec must.
    let parent = unsafe { libc::getpid() };
    unsafe {
        command.pre_exec(move || {
            if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            // The parent may have died before the call: then nobody would signal us.
            if libc::getppid() != parent {
                libc::_exit(1);
            }
            Ok(())
        });
    }
}

static TERM_RECEIVED: AtomicBool = AtomicBool::new(false);

extern "C" fn on_term(_signal: libc::c_int) {
    // Only an atomic store: async-signal-safe.
    TERM_RECEIVED.store(true, Ordering::SeqCst);
}

/// Makes SIGTERM set a flag (read with [`term_received`]) instead of ending the process.
pub(crate) fn catch_term() {
    let handler: extern "C" fn(libc::c_int) = on_term;
    // SAFETY: installs a handler that only stores to an atomic, which is
    // async-signal-safe; signal(2) takes the function's address and no other pointer.
    unsafe {
        libc::signal(libc::SIGTERM, handler as libc::sighandler_t);
    }
}

/// Whether SIGTERM arrived since [`catch_term`].
pub(crate) fn term_received() -> bool {
    TERM_RECEIVED.load(Ordering::SeqCst)
}

/// This process's peak resident memory in KiB (`VmHWM`).
pub(crate) fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// The CPU time this process has used so far, user and system, all threads, in
/// seconds.
pub(crate) fn cpu_seconds() -> Option<f64> {
    // SAFETY: an all-zero rusage is a valid value for the kernel to fill in, and
    // getrusage writes only into that live local.
    let usage = unsafe {
        let mut usage: libc::rusage = std::mem::zeroed();
        if libc::getrusage(libc::RUSAGE_SELF, &raw mut usage) != 0 {
            return None;
        }
        usage
    };
    let seconds = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
    Some(seconds(usage.ru_utime) + seconds(usage.ru_stime))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn this_process_is_alive_and_a_wrong_start_time_is_not() {
        let start = own_start_time().unwrap();
        assert!(is_alive(std::process::id(), Some(start)));
        assert!(is_alive(std::process::id(), None));
        assert!(!is_alive(std::process::id(), Some(start + 1)));
        assert!(!is_alive(u32::MAX - 1, None));
        assert!(peak_rss_kib().unwrap() > 0);
    }

    #[test]
    fn cpu_time_counts_the_work_done() {
        let before = cpu_seconds().unwrap();
        let busy = std::time::Instant::now();
        let mut x = 0u64;
        while busy.elapsed().as_millis() < 300 {
            x = std::hint::black_box(x.wrapping_mul(31).wrapping_add(7));
        }
        let used = cpu_seconds().unwrap() - before;
        // 300 ms of wall time spinning, on a loaded machine too.
        assert!((0.02..1.0).contains(&used), "{used} s");
    }
}
