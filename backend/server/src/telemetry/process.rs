//! The process metrics every Prometheus client exposes (`process_resident_memory_bytes`,
//! `process_virtual_memory_bytes`, `process_cpu_seconds_total`, `process_open_fds`,
//! `process_max_fds`), read from `/proc/self` when `/metrics` is scraped. On a system without
//! `/proc` they are simply absent.

/// Linux's page size and clock tick on every platform Lookout runs on (x86-64, aarch64).
const PAGE_BYTES: f64 = 4096.0;
const TICKS_PER_SECOND: f64 = 100.0;

#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct ProcessStats {
    pub resident_bytes: f64,
    pub virtual_bytes: f64,
    pub cpu_seconds: f64,
    pub open_fds: f64,
    pub max_fds: f64,
}

/// This process's figures now, if `/proc/self` can be read.
pub fn read() -> Option<ProcessStats> {
    let statm = std::fs::read_to_string("/proc/self/statm").ok()?;
    let mut pages = statm.split_whitespace().map(|n| n.parse::<f64>().ok());
    let (virtual_pages, resident_pages) = (pages.next()??, pages.next()??);
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    Some(ProcessStats {
        resident_bytes: resident_pages * PAGE_BYTES,
        virtual_bytes: virtual_pages * PAGE_BYTES,
        cpu_seconds: cpu_seconds(&stat)?,
        open_fds: std::fs::read_dir("/proc/self/fd").map(|d| d.count() as f64).unwrap_or(0.0),
        max_fds: max_open_files(&std::fs::read_to_string("/proc/self/limits").unwrap_or_default()).unwrap_or(0.0),
    })
}

/// utime + stime (fields 14 and 15) of `/proc/self/stat`, in seconds. The command name (field
/// 2) is in parentheses and may hold spaces, so fields are counted after its closing one.
fn cpu_seconds(stat: &str) -> Option<f64> {
    let after_name = &stat[stat.rfind(')')? + 1..];
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    // After the name, field 3 (state) is index 0: utime (14) is index 11, stime (15) index 12.
    let ticks = fields.get(11)?.parse::<f64>().ok()? + fields.get(12)?.parse::<f64>().ok()?;
    Some(ticks / TICKS_PER_SECOND)
}

/// The soft limit on open files from `/proc/self/limits`.
fn max_open_files(limits: &str) -> Option<f64> {
    let line = limits.lines().find(|l| l.starts_with("Max open files"))?;
    line["Max open files".len()..].split_whitespace().next()?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stat_and_limits_are_read_as_the_kernel_writes_them() {
        let stat = "4242 (lookout (dev) x) S 1 4242 4242 0 -1 4194560 9000 0 12 0 250 75 0 0 20 0 9 0 1234 123456 789";
        assert_eq!(cpu_seconds(stat), Some(3.25));
        let limits = "Limit                     Soft Limit           Hard Limit           Units\nMax open files            1024                 524288               files\n";
        assert_eq!(max_open_files(limits), Some(1024.0));
    }

    #[test]
    fn this_process_is_readable() {
        let stats = read().expect("/proc/self on Linux");
        assert!(stats.resident_bytes > 0.0 && stats.virtual_bytes >= stats.resident_bytes, "{stats:?}");
        assert!(stats.open_fds >= 3.0 && stats.max_fds >= stats.open_fds, "{stats:?}");
    }
}
