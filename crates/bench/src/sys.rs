//! Facts about the machine and processes, read from `/proc` (Linux only; every reader
//! answers `None` elsewhere).

use std::process::Command;
use std::time::Instant;

/// Resident set size of a process in KiB (`VmRSS`).
pub fn rss_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
}

/// User + system CPU time of a process, in clock ticks; with `children`, also that of its
/// children that have exited and been waited for.
fn proc_ticks(pid: &str, children: bool) -> Option<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name may hold spaces; fields after it start at field 3 (state).
    let rest = stat.rsplit_once(')')?.1;
    let f: Vec<&str> = rest.split_whitespace().collect();
    let field = |i: usize| f.get(i).and_then(|v| v.parse::<u64>().ok());
    let own = field(11)? + field(12)?;
    Some(if children {
        own + field(13)? + field(14)?
    } else {
        own
    })
}

/// CPU ticks of every process named `postgres` (the postmaster's count includes the
/// backends that have exited).
fn postgres_ticks() -> u64 {
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return 0;
    };
    dir.filter_map(Result::ok)
        .filter_map(|e| e.file_name().to_str().map(str::to_owned))
        .filter(|pid| pid.bytes().all(|b| b.is_ascii_digit()))
        .filter(|pid| {
            std::fs::read_to_string(format!("/proc/{pid}/comm"))
                .is_ok_and(|c| c.trim() == "postgres")
        })
        .filter_map(|pid| proc_ticks(&pid, true))
        .sum()
}

/// Busy and total ticks of the whole machine (first line of `/proc/stat`).
fn machine_ticks() -> Option<(u64, u64)> {
    let stat = std::fs::read_to_string("/proc/stat").ok()?;
    let line = stat.lines().next()?.strip_prefix("cpu ")?;
    let v: Vec<u64> = line
        .split_whitespace()
        .filter_map(|x| x.parse().ok())
        .collect();
    let get = |i: usize| v.get(i).copied().unwrap_or(0);
    // user nice system idle iowait irq softirq steal
    let busy = get(0) + get(1) + get(2) + get(5) + get(6) + get(7);
    Some((busy, busy + get(3) + get(4)))
}

/// Cores the whole machine kept busy, on average, over `window` (blocks the thread).
pub fn busy_cores(window: std::time::Duration, hz: f64) -> f64 {
    let a = machine_ticks().map_or(0, |t| t.0);
    std::thread::sleep(window);
    let b = machine_ticks().map_or(0, |t| t.0);
    b.saturating_sub(a) as f64 / hz / window.as_secs_f64()
}

/// Clock ticks per second (`getconf CLK_TCK`, 100 when it cannot be asked).
pub fn clock_ticks() -> f64 {
    Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(100.0)
}

/// A snapshot of CPU counters: this process, the server, the whole machine.
#[derive(Clone, Copy)]
pub struct CpuSnap {
    at: Instant,
    me: u64,
    server: u64,
    postgres: u64,
    busy: u64,
}

/// CPU used between two snapshots, in cores (1.0 = one core fully busy).
#[derive(Clone, Copy, Default)]
pub struct CpuUse {
    pub client: f64,
    pub server: f64,
    /// Every `postgres` process (backends, including those that exited, and helpers).
    pub postgres: f64,
    /// Everything else that was busy: the kernel outside these processes, other workloads.
    pub other: f64,
}

impl CpuSnap {
    pub fn take(server_pid: u32) -> Self {
        Self {
            at: Instant::now(),
            me: proc_ticks("self", false).unwrap_or(0),
            server: proc_ticks(&server_pid.to_string(), false).unwrap_or(0),
            postgres: postgres_ticks(),
            busy: machine_ticks().map(|t| t.0).unwrap_or(0),
        }
    }

    pub fn since(&self, earlier: &CpuSnap, hz: f64) -> CpuUse {
        let secs = self.at.duration_since(earlier.at).as_secs_f64().max(1e-6);
        let cores = |t: u64| t as f64 / hz / secs;
        let me = self.me.saturating_sub(earlier.me);
        let server = self.server.saturating_sub(earlier.server);
        let postgres = self.postgres.saturating_sub(earlier.postgres);
        let busy = self.busy.saturating_sub(earlier.busy);
        CpuUse {
            client: cores(me),
            server: cores(server),
            postgres: cores(postgres),
            other: cores(busy.saturating_sub(me + server + postgres)),
        }
    }
}

/// The 1, 5 and 15 minute load averages (`/proc/loadavg`).
pub fn loadavg() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|| "unknown".into())
}

/// `nproc`, total memory and CPU model of this machine.
pub fn machine() -> String {
    let cpus = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(0);
    let meminfo = std::fs::read_to_string("/proc/meminfo").unwrap_or_default();
    let mem_kib: u64 = meminfo
        .lines()
        .find_map(|l| l.strip_prefix("MemTotal:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let model = cpuinfo
        .lines()
        .find_map(|l| l.strip_prefix("model name"))
        .and_then(|l| l.split_once(':'))
        .map(|(_, m)| m.trim().to_owned())
        .unwrap_or_else(|| "unknown CPU".into());
    format!(
        "{cpus} CPUs (nproc), {:.1} GiB memory, {model}",
        mem_kib as f64 / 1024.0 / 1024.0
    )
}

/// The output of a command, trimmed, or `None` when it fails.
pub fn command_output(program: &str, args: &[&str]) -> Option<String> {
    let out = Command::new(program).args(args).output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_owned())
}

/// `git rev-parse --short HEAD`, marked when the working tree has uncommitted changes.
pub fn git_commit() -> String {
    let Some(head) = command_output("git", &["rev-parse", "--short", "HEAD"]) else {
        return "unknown".into();
    };
    match command_output("git", &["status", "--porcelain", "--untracked-files=no"]) {
        Some(s) if !s.is_empty() => format!("{head} (working tree has uncommitted changes)"),
        _ => head,
    }
}
