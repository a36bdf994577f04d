//! What only the structure of an executable tells: packers (UPX and other packers' section names,
//! high-entropy code), capabilities from imports and from function names resolved at run time
//! (process hollowing, the critical-process flag, LD_PRELOAD process hiders, weaker signs such
//! as anti-debugging, renaming, service installation, GPU compute and MSR access), and the
//! context of the file (a temporary or hidden location, a name imitating a system process).
//!
//! Miner facts themselves (stratum URLs, pools, miner options) are the indicator analyzer's:
//! here they only decide whether packing counts as evasion. Weak signs and context are
//! `when_miner` findings, `info` unless the same file carries miner evidence.
//!
//! The ELF/PE/Mach-O structure is parsed once per file into `extract::BinaryInfo`; every count
//! kept is capped and every offset clamped, so hostile input costs bounded time and memory.

mod extract;
mod markers;
mod shape;
#[cfg(test)]
mod tests;

use super::{Analyzer, AnalyzerError, AnalyzerWorker};
use crate::analyze::id::AnalyzerId;
use crate::judge::finding::{Class, Evidence, Finding};
use crate::knowledge::indicators::{IndicatorKind, NeedleHit};
use crate::scan::context::FileContext;
use crate::scan::kind::FileKind;
use extract::{extract, BinaryInfo, ElfType, Format};
use markers::{FoundString, MarkerHit, Markers, Needle};
use std::collections::BTreeMap;
use std::sync::LazyLock;

const ID: AnalyzerId = AnalyzerId::Binary;

pub struct BinaryAnalyzer;

impl Analyzer for BinaryAnalyzer {
    fn id(&self) -> AnalyzerId {
        ID
    }
    fn needles(&self) -> Vec<&'static str> {
        shared_needles()
    }
    fn worker(&self) -> Box<dyn AnalyzerWorker + '_> {
        Box::new(BinaryWorker)
    }
}

struct BinaryWorker;

impl AnalyzerWorker for BinaryWorker {
    fn applies(&self, kind: FileKind) -> bool {
        kind.is_executable_format()
    }

    fn analyze(&mut self, ctx: &FileContext, out: &mut Vec<Finding>) -> Result<(), AnalyzerError> {
        analyze(ctx, out);
        Ok(())
    }
}

/// Code sections at least this large with at least this entropy hold compressed or encrypted
/// code: compiled code sits near 5.5-6.5 bits per byte, compressed data near 8.
const HIGH_ENTROPY: f64 = 7.2;
// Sections screened out by their sampled entropy must never be ones this threshold would flag.
const _: () = assert!(HIGH_ENTROPY - extract::ENTROPY_SCREEN >= 0.3);
const HIGH_ENTROPY_MIN_SIZE: u64 = 4096;
/// A shared object exporting readdir with at most this many exports is a hook library, not a
/// libc or a sanitizer runtime (those export hundreds).
const HIDER_MAX_EXPORTS: usize = 30;
/// Where UPX puts its `UPX!` magic: in the headers' slack at the start, in the PackHeader at the
/// end.
const UPX_HEAD: usize = 4096;
const UPX_TAIL: usize = 256;
/// Where the UPX stub's `$Info` string sits.
const UPX_INFO_WINDOW: usize = 64 * 1024;

/// Section names that packers give their sections, with the packer.
const PACKER_SECTIONS: &[(&str, &str)] = &[
    ("UPX0", "UPX"),
    ("UPX1", "UPX"),
    ("UPX2", "UPX"),
    ("UPX!", "UPX"),
    (".MPRESS1", "MPRESS"),
    (".MPRESS2", "MPRESS"),
    (".aspack", "ASPack"),
    (".adata", "ASPack"),
    (".themida", "Themida"),
    (".winlice", "WinLicense"),
    (".vmp0", "VMProtect"),
    (".vmp1", "VMProtect"),
    (".vmp2", "VMProtect"),
    ("PEC2", "PECompact"),
    ("PEC2TO", "PECompact"),
    ("PEC2MO", "PECompact"),
    ("PECompact2", "PECompact"),
    ("pec1", "PECompact"),
    ("pec2", "PECompact"),
    (".petite", "Petite"),
    (".nsp0", "NsPack"),
    (".nsp1", "NsPack"),
    (".nsp2", "NsPack"),
    ("nsp0", "NsPack"),
    ("nsp1", "NsPack"),
    (".enigma1", "Enigma Protector"),
    (".enigma2", "Enigma Protector"),
    (".RLPack", "RLPack"),
    (".packed", "RLPack"),
    ("MEW", "MEW"),
    (".perplex", "Perplex"),
    (".yP", "Y0da Protector"),
    (".y0da", "Y0da Protector"),
    ("kkrunchy", "kkrunchy"),
    (".spack", "Simple Pack"),
    (".ccg", "CCG"),
];

/// The groups of process hollowing: a suspended process is created (or its thread resumed), its
/// image unmapped, new code written into it and its thread pointed at that code.
const HOLLOW_UNMAP: &[&str] = &["NtUnmapViewOfSection", "ZwUnmapViewOfSection"];
const HOLLOW_WRITE: &[&str] = &[
    "WriteProcessMemory",
    "NtWriteVirtualMemory",
    "ZwWriteVirtualMemory",
];
const HOLLOW_CONTEXT: &[&str] = &[
    "SetThreadContext",
    "Wow64SetThreadContext",
    "NtSetContextThread",
    "ZwSetContextThread",
];
const HOLLOW_START: &[&str] = &[
    "CreateProcessA",
    "CreateProcessW",
    "CreateProcessInternalA",
    "CreateProcessInternalW",
    "CreateProcessAsUserA",
    "CreateProcessAsUserW",
    "NtCreateUserProcess",
    "ResumeThread",
    "NtResumeThread",
];
const CRITICAL: &[&str] = &["RtlSetProcessIsCritical"];
const SET_INFO_PROCESS: &[&str] = &["NtSetInformationProcess", "ZwSetInformationProcess"];
const ANTI_DEBUG_PE: &[&str] = &["IsDebuggerPresent", "CheckRemoteDebuggerPresent"];
const ANTI_DEBUG_ELF: &[&str] = &["ptrace"];
const SERVICE_MANAGER: &[&str] = &["OpenSCManagerA", "OpenSCManagerW"];
const SERVICE_CREATE: &[&str] = &["CreateServiceA", "CreateServiceW"];
const RENAME: &[&str] = &["prctl", "pthread_setname_np"];
const READDIR: &[&str] = &["readdir", "readdir64"];
const DLSYM: &[&str] = &["dlsym", "dlvsym"];
const GPU_FUNCTIONS: &[&str] = &[
    "clGetPlatformIDs",
    "clGetDeviceIDs",
    "clCreateContext",
    "clBuildProgram",
    "clCreateKernel",
    "clEnqueueNDRangeKernel",
    "cuInit",
    "cuLaunchKernel",
    "cuModuleLoadData",
    "cuModuleLoadDataEx",
    "cudaMalloc",
    "cudaLaunchKernel",
    "cudaGetDeviceCount",
    "nvrtcCompileProgram",
    "nvmlInit",
    "nvmlInit_v2",
    "nvmlDeviceGetTemperature",
    "nvmlDeviceGetPowerUsage",
    "nvmlDeviceGetFanSpeed",
];
/// GPU runtime libraries, matched case-insensitively inside strings.
const GPU_LIBRARIES: &[&str] = &[
    "libopencl.so",
    "opencl.dll",
    "libcuda.so",
    "nvcuda.dll",
    "libnvidia-ml.so",
    "nvml.dll",
    "libnvrtc.so",
    "atiadlxx.dll",
];

/// Texts some rule looks for inside strings.
const PROC: &str = "/proc";
const TRACER_PID: &str = "TracerPid";
const BREAK_ON_TERMINATION: &str = "ProcessBreakOnTermination";
/// MSR access: the device path (with `/msr` in the same string), the Windows driver, the module.
const MSR_TEXTS: &[&str] = &["/dev/cpu/", "winring0", "modprobe msr"];

/// Every function name and text the rules look for, in one list: the shared matcher finds their
/// ASCII forms in its pass over the file (numbered as here), `MARKERS` the texts' wide forms.
fn needles() -> Vec<Needle> {
    let texts = [PROC, TRACER_PID, BREAK_ON_TERMINATION]
        .iter()
        .chain(GPU_LIBRARIES)
        .chain(MSR_TEXTS)
        .chain(KERNEL_THREADS)
        .map(|t| Needle::Text(t));
    watched_names().map(Needle::Function).chain(texts).collect()
}

static MARKERS: LazyLock<Markers> = LazyLock::new(|| Markers::new(needles()));

/// The needle texts the shared matcher looks for on this analyzer's behalf
/// (`Analyzer::needles`), in the order of the needle numbers it reports.
fn shared_needles() -> Vec<&'static str> {
    needles().into_iter().map(Needle::text).collect()
}

/// The wide-text pass alone (how many hits `bytes` gives), for the benches.
pub fn wide_marker_hits(bytes: &[u8]) -> usize {
    MARKERS.find(bytes, &[], true).len()
}

/// The marker hits of one file, and the strings around them on demand.
struct Strings<'c> {
    bytes: &'c [u8],
    hits: Vec<MarkerHit>,
}

impl<'c> Strings<'c> {
    /// `shared` are the needle hits of the shared pass over `bytes`; `wide` also looks for the
    /// texts in UTF-16LE.
    fn find(bytes: &'c [u8], shared: &[NeedleHit], wide: bool) -> Strings<'c> {
        Strings {
            bytes,
            hits: MARKERS.find(bytes, shared, wide),
        }
    }

    /// Function names standing as a string's trailing identifier.
    fn functions(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.hits.iter().filter_map(|h| match MARKERS.needle(h) {
            Needle::Function(name) => Some(name),
            Needle::Text(_) => None,
        })
    }

    /// The strings holding any of `texts` (in any case), each string once.
    fn around(&self, texts: &[&str]) -> Vec<FoundString> {
        let mut out: Vec<FoundString> = Vec::new();
        for h in &self.hits {
            let Needle::Text(t) = MARKERS.needle(h) else {
                continue;
            };
            if !texts.contains(&t) {
                continue;
            }
            if let Some(s) = markers::string_around(self.bytes, h.start, h.end, h.wide) {
                if !out.iter().any(|o| o.offset == s.offset && o.wide == s.wide) {
                    out.push(s);
                }
            }
        }
        out
    }
}

/// Every function name some rule looks for among strings (names resolved at run time).
fn watched_names() -> impl Iterator<Item = &'static str> {
    [
        HOLLOW_UNMAP,
        HOLLOW_WRITE,
        HOLLOW_CONTEXT,
        HOLLOW_START,
        CRITICAL,
        SET_INFO_PROCESS,
        ANTI_DEBUG_PE,
        SERVICE_MANAGER,
        SERVICE_CREATE,
        GPU_FUNCTIONS,
    ]
    .into_iter()
    .flatten()
    .copied()
}

/// Kernel threads: no file on disk legitimately carries these names (prefix match, so that
/// `kworkerds` and `kdevtmpfsi` are caught).
const KERNEL_THREADS: &[&str] = &[
    "kworker",
    "kthreadd",
    "ksoftirqd",
    "kswapd",
    "kdevtmpfs",
    "khugepaged",
    "kcompactd",
    "kblockd",
    "kauditd",
    "kintegrityd",
    "kthrotld",
    "rcu_sched",
    "rcu_preempt",
];
/// Daemons whose names miners borrow (exact match; `systemd-` by prefix), legitimate only in
/// the system's program directories.
const DAEMONS: &[&str] = &[
    "sshd",
    "dbus-daemon",
    "crond",
    "cron",
    "rsyslogd",
    "udevd",
    "agetty",
    "init",
    "atd",
    "auditd",
    "polkitd",
    "irqbalance",
];
const SYSTEM_DIRS: &[&str] = &[
    "/usr/",
    "/bin/",
    "/sbin/",
    "/lib/",
    "/lib64/",
    "/lib32/",
    "/nix/store/",
    "/snap/",
];
/// Windows processes whose names miners borrow, legitimate only in System32 (and its copies).
const WINDOWS_NAMES: &[&str] = &[
    "svchost.exe",
    "csrss.exe",
    "conhost.exe",
    "lsass.exe",
    "smss.exe",
    "winlogon.exe",
    "wininit.exe",
    "services.exe",
    "spoolsv.exe",
    "taskhostw.exe",
    "dwm.exe",
    "dllhost.exe",
    "rundll32.exe",
    "explorer.exe",
];
const WINDOWS_SYSTEM_DIRS: &[&str] = &[
    "/windows/system32/",
    "/windows/syswow64/",
    "/windows/winsxs/",
];

/// A function the file imports or names among its strings (to resolve at run time).
#[derive(Default)]
struct Functions {
    found: BTreeMap<String, Evidence>,
}

impl Functions {
    fn collect(strings: &Strings, info: Option<&BinaryInfo>) -> Functions {
        let mut found = BTreeMap::new();
        if let Some(info) = info {
            for imp in &info.imports {
                found
                    .entry(imp.name.clone())
                    .or_insert_with(|| Evidence::import(imp.library.as_deref(), &imp.name));
            }
        }
        let own_exports = |name: &str| info.is_some_and(|i| i.exports.iter().any(|e| e == name));
        for name in strings.functions() {
            if found.contains_key(name) || own_exports(name) {
                continue;
            }
            found.insert(name.to_owned(), Evidence::import(None, name));
        }
        Functions { found }
    }

    fn any(&self, names: &[&str]) -> Option<&Evidence> {
        names.iter().find_map(|n| self.found.get(*n))
    }

    fn all_of(&self, names: &[&str]) -> Vec<&Evidence> {
        names.iter().filter_map(|n| self.found.get(*n)).collect()
    }
}

/// Which miner facts the shared matcher found: long enough to mean something even inside
/// compressed data (four-character algorithm names like `rx/0` occur by chance in megabytes).
fn miner_evidence(ctx: &FileContext) -> Vec<(u64, String)> {
    let mut out: Vec<(u64, String)> = Vec::new();
    for hit in ctx.indicator_hits() {
        let p = ctx.indicators.pattern(hit);
        let miner_kind = matches!(
            p.kind,
            IndicatorKind::PoolHost
                | IndicatorKind::StratumScheme
                | IndicatorKind::StratumMethod
                | IndicatorKind::MinerOption
                | IndicatorKind::Algorithm
                | IndicatorKind::MinerName
        );
        if miner_kind && p.text.len() >= 5 && !out.iter().any(|(_, t)| *t == p.text) {
            out.push((hit.start as u64, p.text.clone()));
            if out.len() >= 4 {
                break;
            }
        }
    }
    out
}

fn analyze(ctx: &FileContext, out: &mut Vec<Finding>) {
    // A header-only view of a huge file: the structure is not all there.
    if ctx.truncated {
        return;
    }
    let format = match ctx.kind {
        FileKind::Elf => Format::Elf,
        FileKind::Pe => Format::Pe,
        FileKind::MachO => Format::MachO,
        FileKind::MachOFat => Format::MachOFat,
        _ => return,
    };
    let first = out.len();
    let info = match extract(ctx.bytes, format) {
        Ok(info) => Some(info),
        Err(e) => {
            out.push(
                Finding::new(
                    ID,
                    "unparsed_structure",
                    Class::Info,
                    5,
                    "executable header that does not parse",
                )
                .with_evidence(Evidence::text(&e.0)),
            );
            None
        }
    };
    let info = info.as_ref();
    // Windows programs name libraries and drivers in wide strings too.
    let strings = Strings::find(ctx.bytes, &ctx.needle_hits(ID), format == Format::Pe);
    let functions = Functions::collect(&strings, info);
    let miner = miner_evidence(ctx);
    let place = Place::of(&ctx.target.system_path);

    packing(ctx, info, &miner, &place, out);
    if format == Format::Pe {
        windows_capabilities(&functions, &strings, out);
    }
    if let Some(info) = info.filter(|i| i.format == Format::Elf) {
        process_hider(&strings, info, out);
        process_rename(&strings, &functions, out);
    }
    weak_signs(&strings, format, &functions, out);
    context(ctx, &place, out);

    if out.len() > first || !miner.is_empty() {
        if let Some(info) = info {
            out.push(Finding::new(
                ID,
                "binary_summary",
                Class::Info,
                0,
                info.describe(),
            ));
        }
    }
}

/// Packers by marker, by section name and by the entropy of code.
fn packing(
    ctx: &FileContext,
    info: Option<&BinaryInfo>,
    miner: &[(u64, String)],
    place: &Place,
    out: &mut Vec<Finding>,
) {
    let weight = PackingWeight::of(miner);
    let mut packed = Vec::new();
    let mut upx = upx_markers(ctx.bytes);
    let mut by_section: BTreeMap<&str, Vec<Evidence>> = BTreeMap::new();
    if let Some(info) = info {
        // UPX's own section names join its markers; other packers are named by theirs.
        for s in &info.sections {
            if let Some((_, packer)) = PACKER_SECTIONS.iter().find(|(n, _)| *n == s.name) {
                let e = Evidence::text(format!("section {}", s.name));
                if *packer == "UPX" {
                    upx.push(e);
                } else {
                    by_section.entry(packer).or_default().push(e);
                }
            }
        }
    }
    if !upx.is_empty() {
        let f = weight
            .finding("upx_packed", "packed with UPX")
            .tag("packer:upx");
        out.push(with_all(f, upx));
        packed.push("UPX");
    }
    for (packer, evidence) in by_section {
        let f = weight
            .finding(
                "packer_sections",
                &format!("packed or protected with {packer}"),
            )
            .tag(format!(
                "packer:{}",
                packer.to_ascii_lowercase().replace(' ', "-")
            ));
        out.push(with_all(f, evidence));
        packed.push(packer);
    }
    if let Some(f) = info.and_then(|info| high_entropy_code(info, &weight)) {
        out.push(f);
        packed.push("entropy");
    }

    // A packed static ELF staged in a temporary or hidden directory: the dropper's shape.
    let static_elf = info
        .and_then(|i| i.elf.as_ref())
        .is_some_and(|e| e.is_static && matches!(e.elf_type, ElfType::Executable | ElfType::Pie));
    if !packed.is_empty() && static_elf && (place.temporary || place.hidden) {
        out.push(
            Finding::new(
                ID,
                "packed_static_hidden",
                Class::Hiding,
                50,
                "packed static program kept in a temporary or hidden directory",
            )
            .with_evidence(Evidence::path(&ctx.target.system_path)),
        );
    }
}

/// How much packing counts: packers serve software vendors too, so alone it is information;
/// around miner code it is evasion, and the miner code is named as its evidence.
struct PackingWeight<'a> {
    class: Class,
    score: u8,
    why: &'static str,
    miner: &'a [(u64, String)],
}

impl PackingWeight<'_> {
    fn of(miner: &[(u64, String)]) -> PackingWeight<'_> {
        let (class, score, why) = if miner.is_empty() {
            (Class::Info, 10, "")
        } else {
            (Class::Evasion, 50, " around miner code")
        };
        PackingWeight {
            class,
            score,
            why,
            miner,
        }
    }

    fn finding(&self, rule: &str, what: &str) -> Finding {
        let f = Finding::new(
            ID,
            rule,
            self.class,
            self.score,
            format!("{what}{}", self.why),
        );
        let miner = self.miner.iter();
        with_all(
            f,
            miner.map(|(offset, text)| Evidence::bytes(*offset, text.as_bytes())),
        )
    }
}

/// UPX by its own marks: its magic in the headers or the trailer, its stub's $Info string.
fn upx_markers(bytes: &[u8]) -> Vec<Evidence> {
    let mut upx = Vec::new();
    let head = &bytes[..bytes.len().min(UPX_HEAD)];
    if let Some(at) = memchr::memmem::find(head, b"UPX!") {
        upx.push(Evidence::bytes(at as u64, b"UPX!"));
    }
    let tail_start = bytes.len().saturating_sub(UPX_TAIL);
    if let Some(at) = memchr::memmem::rfind(&bytes[tail_start..], b"UPX!") {
        upx.push(Evidence::bytes((tail_start + at) as u64, b"UPX!"));
    }
    const UPX_INFO: &[u8] = b"This file is packed with the UPX";
    let windows = [(0, &bytes[..bytes.len().min(UPX_INFO_WINDOW)]), {
        let s = bytes.len().saturating_sub(UPX_INFO_WINDOW);
        (s, &bytes[s..])
    }];
    for (base, w) in windows {
        if let Some(at) = memchr::memmem::find(w, UPX_INFO) {
            upx.push(Evidence::bytes((base + at) as u64, UPX_INFO));
            break;
        }
    }
    upx
}

/// Code sections as dense as compressed or encrypted data: an unknown packer's mark.
fn high_entropy_code(info: &BinaryInfo, weight: &PackingWeight) -> Option<Finding> {
    let dense: Vec<_> = info
        .sections
        .iter()
        .filter(|s| s.exec && s.file_size >= HIGH_ENTROPY_MIN_SIZE && s.entropy >= HIGH_ENTROPY)
        .collect();
    if dense.is_empty() {
        return None;
    }
    let f = weight.finding(
        "high_entropy_code",
        "code section with the entropy of compressed or encrypted data",
    );
    Some(with_all(
        f,
        dense.into_iter().map(|s| {
            Evidence::text(format!(
                "section {} ({} bytes) entropy {:.2}",
                extract::printable(&s.name),
                s.file_size,
                s.entropy
            ))
        }),
    ))
}

/// A finding with each piece of evidence added in order.
fn with_all(mut f: Finding, evidence: impl IntoIterator<Item = Evidence>) -> Finding {
    for e in evidence {
        f.push_evidence(e);
    }
    f
}

/// Process hollowing and the critical-process flag, from imports and names resolved at run time.
fn windows_capabilities(functions: &Functions, strings: &Strings, out: &mut Vec<Finding>) {
    let groups = [HOLLOW_UNMAP, HOLLOW_WRITE, HOLLOW_CONTEXT, HOLLOW_START];
    if groups.iter().all(|g| functions.any(g).is_some()) {
        let mut f = Finding::new(
            ID,
            "process_hollowing",
            Class::Injection,
            70,
            "can hollow a process: unmaps its image, writes code into it and redirects its thread",
        );
        for g in groups {
            for e in functions.all_of(g) {
                f.push_evidence(e.clone());
            }
        }
        out.push(f);
    }

    let critical = functions.any(CRITICAL).cloned().or_else(|| {
        let set_info = functions.any(SET_INFO_PROCESS)?;
        strings
            .around(&[BREAK_ON_TERMINATION])
            .iter()
            .any(|s| s.text.contains(BREAK_ON_TERMINATION))
            .then(|| set_info.clone())
    });
    if let Some(e) = critical {
        out.push(
            Finding::new(
                ID,
                "critical_process",
                Class::Evasion,
                60,
                "can mark itself a critical process, so that killing it crashes Windows",
            )
            .with_evidence(e),
        );
    }
}

/// An LD_PRELOAD library that filters directory listings of /proc.
fn process_hider(strings: &Strings, info: &BinaryInfo, out: &mut Vec<Finding>) {
    let shared = info
        .elf
        .as_ref()
        .is_some_and(|e| e.elf_type == ElfType::SharedObject);
    if !shared || info.export_count > HIDER_MAX_EXPORTS {
        return;
    }
    let hooks: Vec<&String> = info
        .exports
        .iter()
        .filter(|e| READDIR.contains(&e.as_str()))
        .collect();
    if hooks.is_empty() {
        return;
    }
    let around = strings.around(&[PROC]);
    let Some(proc_string) = around.iter().find(|s| s.text.contains(PROC)) else {
        return;
    };
    let mut f = Finding::new(
        ID,
        "process_hider_library",
        Class::Hiding,
        70,
        format!(
            "small library ({} exports) that replaces readdir and reads /proc: hides processes when preloaded",
            info.export_count
        ),
    );
    for h in hooks {
        f.push_evidence(Evidence::Export { name: h.clone() });
    }
    f.push_evidence(Evidence::bytes(
        proc_string.offset,
        proc_string.text.as_bytes(),
    ));
    if let Some(e) = info
        .imports
        .iter()
        .find(|i| DLSYM.contains(&i.name.as_str()))
    {
        f.push_evidence(Evidence::import(e.library.as_deref(), &e.name));
    }
    out.push(f);
}

/// prctl/pthread_setname_np beside a kernel thread's name: renames itself after one. Daemon
/// names are left out here: systemd's own tools name themselves `systemd-*`.
fn process_rename(strings: &Strings, functions: &Functions, out: &mut Vec<Finding>) {
    let Some(call) = RENAME.iter().find_map(|n| functions.found.get(*n)) else {
        return;
    };
    let around = strings.around(KERNEL_THREADS);
    let disguise = around.iter().find(|s| {
        let name = s
            .text
            .trim()
            .trim_start_matches('[')
            .trim_end_matches(']')
            .to_ascii_lowercase();
        !name.contains(' ')
            && name.len() <= 32
            && KERNEL_THREADS.iter().any(|k| name.starts_with(k))
    });
    if let Some(s) = disguise {
        out.push(
            Finding::new(
                ID,
                "process_rename",
                Class::Info,
                20,
                "can rename its process after a system process",
            )
            .when_miner(Class::Hiding)
            .with_evidence(call.clone())
            .with_evidence(Evidence::bytes(s.offset, s.text.as_bytes())),
        );
    }
}

/// Signs that mean little alone and much beside miner code.
fn weak_signs(strings: &Strings, format: Format, functions: &Functions, out: &mut Vec<Finding>) {
    out.extend(anti_debug(strings, format, functions));
    if format == Format::Pe {
        out.extend(service_install(functions));
    }
    // GPU compute and MSR access serve mining: beside miner code they are more miner evidence.
    let (gpu, msr) = gpu_and_msr(strings, functions);
    let signs = [
        (
            gpu,
            "gpu_compute",
            15,
            "uses GPU compute (OpenCL, CUDA or NVML)",
        ),
        (
            msr,
            "msr_access",
            20,
            "writes CPU model-specific registers (a RandomX miner's tuning)",
        ),
    ];
    for (evidence, rule, score, what) in signs {
        if !evidence.is_empty() {
            let f = Finding::new(ID, rule, Class::Info, score, what).when_miner(Class::Miner);
            out.push(with_all(f, evidence));
        }
    }
}

/// Debugger checks: a miner hides from an analyst's debugger as it hides from the task list.
fn anti_debug(strings: &Strings, format: Format, functions: &Functions) -> Option<Finding> {
    let anti_debug = match format {
        Format::Pe => functions.all_of(ANTI_DEBUG_PE),
        Format::Elf => functions.all_of(ANTI_DEBUG_ELF),
        _ => Vec::new(),
    };
    // Reading TracerPid from /proc/self/status is the static binary's way to spot a debugger.
    let tracer_pid = format == Format::Elf
        && strings
            .around(&[TRACER_PID])
            .iter()
            .any(|s| s.text.contains(TRACER_PID));
    if anti_debug.is_empty() && !tracer_pid {
        return None;
    }
    let f = Finding::new(
        ID,
        "anti_debug",
        Class::Info,
        15,
        "checks for or blocks a debugger",
    )
    .when_miner(Class::Evasion);
    let mut f = with_all(f, anti_debug.into_iter().cloned());
    if tracer_pid {
        f.push_evidence(Evidence::text("reads TracerPid from /proc"));
    }
    Some(f)
}

/// A Windows service installed by the program itself: persistence beside miner code.
fn service_install(functions: &Functions) -> Option<Finding> {
    let open = functions.any(SERVICE_MANAGER)?;
    let create = functions.any(SERVICE_CREATE)?;
    Some(
        Finding::new(
            ID,
            "service_install",
            Class::Info,
            20,
            "can install a Windows service",
        )
        .when_miner(Class::Persistence)
        .with_evidence(open.clone())
        .with_evidence(create.clone()),
    )
}

/// Evidence of GPU compute (imports, library names) and of writing model-specific registers,
/// capped at 8 and 4 pieces: enough to show, bounded on a hostile file.
fn gpu_and_msr(strings: &Strings, functions: &Functions) -> (Vec<Evidence>, Vec<Evidence>) {
    let mut gpu: Vec<Evidence> = functions
        .all_of(GPU_FUNCTIONS)
        .into_iter()
        .cloned()
        .collect();
    let mut msr: Vec<Evidence> = Vec::new();
    let texts: Vec<&str> = GPU_LIBRARIES.iter().chain(MSR_TEXTS).copied().collect();
    for s in strings.around(&texts) {
        if gpu.len() >= 8 && msr.len() >= 4 {
            break;
        }
        let lower = s.text.to_ascii_lowercase();
        if gpu.len() < 8 && GPU_LIBRARIES.iter().any(|l| lower.contains(l)) {
            gpu.push(Evidence::bytes(s.offset, s.text.as_bytes()));
        }
        // The bare mnemonic `wrmsr` is left out: every assembler and disassembler has it.
        if msr.len() < 4
            && ((lower.contains("/dev/cpu/") && lower.contains("/msr"))
                || lower.contains("winring0")
                || lower.contains("modprobe msr"))
        {
            msr.push(Evidence::bytes(s.offset, s.text.as_bytes()));
        }
    }
    (gpu, msr)
}

/// Whether a program at `path` counts as kept out of sight (a temporary or hidden place),
/// which beside miner evidence is hiding. Tests whose checkout may sit in such a place ask.
pub fn place_hides(path: &str) -> bool {
    let place = Place::of(path);
    place.temporary || place.hidden
}

/// Where a file lives, judged on the path as the scanned system sees it.
#[derive(Debug, Default)]
struct Place {
    /// /tmp, /var/tmp, /dev/shm, a Windows Temp, ProgramData.
    temporary: bool,
    temporary_why: &'static str,
    /// A path component starting with a dot.
    hidden: bool,
    /// The path lower-cased with `/` separators.
    normalized: String,
}

impl Place {
    fn of(path: &str) -> Place {
        let normalized = path.replace('\\', "/").to_ascii_lowercase();
        let mut place = Place {
            normalized,
            ..Place::default()
        };
        let n = place.normalized.as_str();
        for (prefix, why) in [
            ("/tmp/", "/tmp"),
            ("/var/tmp/", "/var/tmp"),
            ("/dev/shm/", "/dev/shm"),
        ] {
            if n.starts_with(prefix) {
                place.temporary = true;
                place.temporary_why = why;
            }
        }
        for (part, why) in [
            ("/appdata/local/temp/", "a user's Temp directory"),
            ("/windows/temp/", "the Windows Temp directory"),
            ("/programdata/", "ProgramData"),
        ] {
            if n.contains(part) {
                place.temporary = true;
                place.temporary_why = why;
            }
        }
        // Archive members (`a.zip!x`) are judged on the container's path components too.
        // `.build-id` is where distributions file debug symbols by build id.
        place.hidden = path
            .split(['/', '\\', '!'])
            .any(|c| c.starts_with('.') && c != "." && c != ".." && c != ".build-id");
        place
    }
}

/// The system process a Linux file name imitates.
fn imitated_linux_name(name: &str) -> Option<&'static str> {
    let lower = name.to_ascii_lowercase();
    if let Some(k) = KERNEL_THREADS.iter().find(|k| lower.starts_with(*k)) {
        return Some(k);
    }
    if lower.starts_with("systemd-") {
        return Some("systemd-*");
    }
    DAEMONS.iter().find(|d| lower == **d).copied()
}

/// Location and name context.
fn context(ctx: &FileContext, place: &Place, out: &mut Vec<Finding>) {
    let path = &ctx.target.system_path;
    if place.temporary {
        out.push(
            Finding::new(
                ID,
                "temporary_location",
                Class::Info,
                20,
                format!("program kept in {}", place.temporary_why),
            )
            .when_miner(Class::Hiding)
            .with_evidence(Evidence::path(path)),
        );
    }
    if place.hidden {
        out.push(
            Finding::new(
                ID,
                "hidden_location",
                Class::Info,
                20,
                "program kept in a hidden file or directory",
            )
            .when_miner(Class::Hiding)
            .with_evidence(Evidence::path(path)),
        );
    }

    let name = ctx.target.file_name();
    let lower = name.to_ascii_lowercase();
    let n = place.normalized.as_str();
    let imitated = if let Some(k) = KERNEL_THREADS.iter().find(|k| lower.starts_with(*k)) {
        Some(format!("named like the kernel thread {k}"))
    } else if let Some(w) = WINDOWS_NAMES.iter().find(|w| lower == **w) {
        let in_system = WINDOWS_SYSTEM_DIRS.iter().any(|d| n.contains(d))
            || (*w == "explorer.exe" && n.ends_with("/windows/explorer.exe"));
        (!in_system).then(|| format!("named like the Windows process {w} outside System32"))
    } else {
        imitated_linux_name(name).and_then(|d| {
            let in_system = SYSTEM_DIRS.iter().any(|s| n.starts_with(s)) && !place.hidden;
            (!in_system)
                .then(|| format!("named like the system daemon {d} outside the system directories"))
        })
    };
    if let Some(why) = imitated {
        out.push(
            Finding::new(ID, "system_name_imitation", Class::Info, 30, why)
                .when_miner(Class::Hiding)
                .with_evidence(Evidence::path(path)),
        );
    }
}
