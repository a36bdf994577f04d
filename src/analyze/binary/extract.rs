//! The structural facts of one executable, extracted once from the bytes with goblin (in its
//! permissive modes) into plain owned data: format and machine, imports, exports, sections with
//! their entropy, the entry point's section, the overlay, and the format's own details. The rules
//! in `binary.rs` judge only this summary, so they never touch goblin, and every count kept here
//! is capped: a hostile header cannot make us keep more than a few thousand of anything.

use goblin::elf::{header as elf_header, program_header, section_header, sym, Elf};
use goblin::mach::{self, Mach, MachO, SingleArch};
use goblin::pe::PE;

/// Most imports, exports and sections kept; the true counts are kept beside them.
pub(crate) const MAX_IMPORTS: usize = 4096;
pub(crate) const MAX_EXPORTS: usize = 4096;
pub(crate) const MAX_SECTIONS: usize = 256;
/// Most architectures of a fat Mach-O that are parsed.
pub(crate) const MAX_FAT_ARCHES: usize = 8;
/// Most symbols of a Mach-O symbol table that are walked.
const MAX_MACHO_SYMBOLS: usize = 65_536;
/// Names longer than this are cut: they are for matching and showing, not for storing a blob.
const MAX_NAME: usize = 256;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Format {
    Elf,
    Pe,
    MachO,
    MachOFat,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Import {
    pub library: Option<String>,
    pub name: String,
}

#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Section {
    pub name: String,
    pub file_offset: u64,
    /// Size on disk.
    pub file_size: u64,
    /// Size in memory.
    pub mem_size: u64,
    pub exec: bool,
    pub write: bool,
    /// Shannon entropy of the bytes on disk, bits per byte, for code sections (0 for the others
    /// and when the section has no bytes on disk): exact wherever it could reach
    /// `ENTROPY_SCREEN`, an estimate from a sample of a large section below that.
    pub entropy: f64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ElfType {
    Executable,
    /// ET_DYN with an interpreter: a position-independent executable.
    Pie,
    SharedObject,
    Relocatable,
    Core,
    Other(u16),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ElfDetails {
    pub elf_type: ElfType,
    /// No program interpreter: nothing is linked at run time.
    pub is_static: bool,
    /// No `.symtab`.
    pub stripped: bool,
    pub interpreter: Option<String>,
    pub needed: Vec<String>,
    pub soname: Option<String>,
    pub build_id: Option<String>,
    /// The file has no section header table (UPX and some droppers drop it).
    pub no_section_headers: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct PeDetails {
    pub is_dll: bool,
    pub is_dotnet: bool,
    pub timestamp: u32,
    pub subsystem: Option<u16>,
}

/// What one executable is made of.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct BinaryInfo {
    pub format: Format,
    pub bits: u8,
    pub machine: String,
    pub imports: Vec<Import>,
    pub import_count: usize,
    pub exports: Vec<String>,
    pub export_count: usize,
    pub sections: Vec<Section>,
    pub section_count: usize,
    /// Index into `sections` of the section holding the entry point.
    pub entry_section: Option<usize>,
    /// Bytes after the last byte the headers account for.
    pub overlay: u64,
    pub elf: Option<ElfDetails>,
    pub pe: Option<PeDetails>,
    /// For a fat Mach-O: the architectures it holds.
    pub arches: Vec<String>,
}

impl BinaryInfo {
    fn new(format: Format) -> BinaryInfo {
        BinaryInfo {
            format,
            bits: 0,
            machine: String::new(),
            imports: Vec::new(),
            import_count: 0,
            exports: Vec::new(),
            export_count: 0,
            sections: Vec::new(),
            section_count: 0,
            entry_section: None,
            overlay: 0,
            elf: None,
            pe: None,
            arches: Vec::new(),
        }
    }

    fn push_import(&mut self, library: Option<&str>, name: &str) {
        if name.is_empty() {
            return;
        }
        self.import_count += 1;
        if self.imports.len() < MAX_IMPORTS {
            self.imports.push(Import {
                library: library.map(short),
                name: short(name),
            });
        }
    }

    fn push_export(&mut self, name: &str) {
        if name.is_empty() {
            return;
        }
        self.export_count += 1;
        if self.exports.len() < MAX_EXPORTS {
            self.exports.push(short(name));
        }
    }

    fn push_section(&mut self, bytes: &[u8], mut section: Section) {
        self.section_count += 1;
        if self.sections.len() < MAX_SECTIONS {
            // Only code is judged by its entropy: data and debug sections are most of many files,
            // and counting their bytes was a pass over the whole file.
            if section.exec {
                section.entropy =
                    code_entropy(slice(bytes, section.file_offset, section.file_size));
            }
            self.sections.push(section);
        }
    }

    /// One line for humans: `ELF64 x86-64 PIE executable, dynamic, stripped`.
    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        match self.format {
            Format::Elf => {
                let e = self.elf.as_ref();
                let what = match e.map(|e| e.elf_type) {
                    Some(ElfType::Executable) => "executable",
                    Some(ElfType::Pie) => "PIE executable",
                    Some(ElfType::SharedObject) => "shared object",
                    Some(ElfType::Relocatable) => "relocatable object",
                    Some(ElfType::Core) => "core dump",
                    _ => "file",
                };
                parts.push(format!("ELF{} {} {what}", self.bits, self.machine));
                if let Some(e) = e {
                    parts.push(if e.is_static {
                        "static".into()
                    } else {
                        "dynamic".into()
                    });
                    if e.stripped {
                        parts.push("stripped".into());
                    }
                    if e.no_section_headers {
                        parts.push("no section headers".into());
                    }
                    if let Some(i) = &e.interpreter {
                        parts.push(format!("interpreter {i}"));
                    }
                    if !e.needed.is_empty() {
                        parts.push(format!("needs {}", e.needed.join(" ")));
                    }
                    if let Some(id) = &e.build_id {
                        parts.push(format!("build-id {id}"));
                    }
                }
            }
            Format::Pe => {
                let p = self.pe.as_ref();
                let kind = match p {
                    Some(p) if p.is_dll => "DLL",
                    _ => "executable",
                };
                let dotnet = if p.is_some_and(|p| p.is_dotnet) {
                    " .NET"
                } else {
                    ""
                };
                let pe = if self.bits == 64 { "PE32+" } else { "PE32" };
                parts.push(format!("{pe}{dotnet} {} {kind}", self.machine));
                if let Some(p) = p {
                    if let Some(s) = p.subsystem {
                        parts.push(format!("subsystem {}", subsystem_name(s)));
                    }
                    parts.push(format!("timestamp {}", p.timestamp));
                }
            }
            Format::MachO => parts.push(format!("Mach-O {}-bit {}", self.bits, self.machine)),
            Format::MachOFat => parts.push(format!("fat Mach-O ({})", self.arches.join(", "))),
        }
        parts.push(format!(
            "{} imports, {} exports, {} sections",
            self.import_count, self.export_count, self.section_count
        ));
        if let Some(s) = self.entry_section.and_then(|i| self.sections.get(i)) {
            parts.push(format!("entry in {}", printable(&s.name)));
        }
        if self.overlay > 0 {
            parts.push(format!("overlay {} bytes", self.overlay));
        }
        parts.join(", ")
    }
}

/// Why the structure could not be read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ParseFailure(pub String);

/// Parses `bytes` as the given format. Never panics on purpose; goblin is additionally guarded
/// by the engine's `catch_unwind`.
pub(crate) fn extract(bytes: &[u8], format: Format) -> Result<BinaryInfo, ParseFailure> {
    // Counts that do not fit the bytes never reach goblin (see `shape`).
    super::shape::check(bytes, format)?;
    match format {
        Format::Elf => extract_elf(bytes),
        Format::Pe => extract_pe(bytes),
        Format::MachO | Format::MachOFat => extract_mach(bytes),
    }
    .map_err(|e| ParseFailure(short(&e.to_string())))
}

fn extract_elf(bytes: &[u8]) -> goblin::error::Result<BinaryInfo> {
    let opts = goblin::options::ParseOptions::permissive();
    let elf = Elf::parse_with_opts(bytes, &opts)?;
    let mut info = BinaryInfo::new(Format::Elf);
    info.bits = if elf.is_64 { 64 } else { 32 };
    info.machine = elf_header::machine_to_str(elf.header.e_machine).to_owned();
    let has_interp = elf.interpreter.is_some();
    let elf_type = elf_type(&elf);
    elf_symbols(&elf, &mut info);
    elf_sections(&elf, bytes, &mut info);
    info.entry_section = entry_section_by_vaddr(&elf, &info, elf.entry);
    info.overlay = (bytes.len() as u64).saturating_sub(elf_end(&elf));
    let build_id = elf.iter_note_headers(bytes).and_then(|notes| {
        notes
            .take(64)
            .filter_map(Result::ok)
            .find(|n| n.n_type == goblin::elf::note::NT_GNU_BUILD_ID && n.name == "GNU")
            .map(|n| crate::scan::digests::hex(&n.desc[..n.desc.len().min(64)]))
    });
    info.elf = Some(ElfDetails {
        elf_type,
        // A static PIE has a dynamic section (for its own relocations) but no interpreter.
        is_static: !has_interp && matches!(elf_type, ElfType::Executable | ElfType::Pie),
        stripped: !elf
            .section_headers
            .iter()
            .any(|s| s.sh_type == section_header::SHT_SYMTAB),
        interpreter: elf.interpreter.map(short),
        needed: elf.libraries.iter().take(64).map(|l| short(l)).collect(),
        soname: elf.soname.map(short),
        build_id,
        no_section_headers: elf.section_headers.is_empty(),
    });
    Ok(info)
}

/// What kind of ELF this is. ET_DYN covers both shared libraries and position-independent
/// programs: an interpreter or the PIE flag tells the program.
fn elf_type(elf: &Elf) -> ElfType {
    let pie_flag = elf
        .dynamic
        .as_ref()
        .is_some_and(|d| d.info.flags_1 & goblin::elf::dynamic::DF_1_PIE != 0);
    match elf.header.e_type {
        elf_header::ET_EXEC => ElfType::Executable,
        elf_header::ET_DYN if elf.interpreter.is_some() || pie_flag => ElfType::Pie,
        elf_header::ET_DYN => ElfType::SharedObject,
        elf_header::ET_REL => ElfType::Relocatable,
        elf_header::ET_CORE => ElfType::Core,
        other => ElfType::Other(other),
    }
}

/// Imports (undefined dynamic symbols, with the library named by symbol versioning if any)
/// and exports (defined functions and objects), bounded on a hostile symbol table.
fn elf_symbols(elf: &Elf, info: &mut BinaryInfo) {
    let version_libs = version_libraries(elf);
    for (idx, s) in elf.dynsyms.iter().enumerate().take(MAX_IMPORTS * 4) {
        let Some(name) = elf.dynstrtab.get_at(s.st_name) else {
            continue;
        };
        let bind = s.st_bind();
        if bind != sym::STB_GLOBAL && bind != sym::STB_WEAK {
            continue;
        }
        if s.st_shndx == section_header::SHN_UNDEF as usize {
            let lib = elf
                .versym
                .as_ref()
                .and_then(|v| v.get_at(idx))
                .map(|v| v.version())
                .and_then(|ver| version_libs.iter().find(|(i, _)| *i == ver))
                .map(|(_, lib)| lib.as_str());
            info.push_import(lib, name);
        } else if matches!(
            s.st_type(),
            sym::STT_FUNC | sym::STT_GNU_IFUNC | sym::STT_OBJECT
        ) {
            info.push_export(name);
        }
    }
}

/// Sections, or the loadable segments when there is no section table (stripped of it, as
/// packed and hand-made programs often are, the segments are all there is).
fn elf_sections(elf: &Elf, bytes: &[u8], info: &mut BinaryInfo) {
    for sh in elf.section_headers.iter().take(MAX_SECTIONS * 4) {
        if sh.sh_type == section_header::SHT_NULL {
            continue;
        }
        let name = elf.shdr_strtab.get_at(sh.sh_name).unwrap_or("");
        let on_disk = sh.sh_type != section_header::SHT_NOBITS;
        info.push_section(
            bytes,
            Section {
                name: short(name),
                file_offset: sh.sh_offset,
                file_size: if on_disk { sh.sh_size } else { 0 },
                mem_size: sh.sh_size,
                exec: sh.sh_flags & u64::from(section_header::SHF_EXECINSTR) != 0,
                write: sh.sh_flags & u64::from(section_header::SHF_WRITE) != 0,
                entropy: 0.0,
            },
        );
    }
    if !elf.section_headers.is_empty() {
        return;
    }
    for (i, ph) in elf.program_headers.iter().enumerate().take(MAX_SECTIONS) {
        if ph.p_type != program_header::PT_LOAD {
            continue;
        }
        info.push_section(
            bytes,
            Section {
                name: format!("LOAD{i}"),
                file_offset: ph.p_offset,
                file_size: ph.p_filesz,
                mem_size: ph.p_memsz,
                exec: ph.is_executable(),
                write: ph.is_write(),
                entropy: 0.0,
            },
        );
    }
}

/// The furthest byte any header accounts for: what lies past it is an overlay (appended data,
/// where droppers carry payloads).
fn elf_end(elf: &Elf) -> u64 {
    let mut end = u64::from(elf.header.e_ehsize);
    for ph in &elf.program_headers {
        end = end.max(ph.p_offset.saturating_add(ph.p_filesz));
    }
    for sh in &elf.section_headers {
        if sh.sh_type != section_header::SHT_NOBITS {
            end = end.max(sh.sh_offset.saturating_add(sh.sh_size));
        }
    }
    let shtab = u64::from(elf.header.e_shentsize).saturating_mul(u64::from(elf.header.e_shnum));
    end.max(elf.header.e_shoff.saturating_add(shtab))
}

/// Version index to library, from the version-needs table.
fn version_libraries(elf: &Elf) -> Vec<(u16, String)> {
    let mut out = Vec::new();
    if let Some(verneed) = &elf.verneed {
        for need in verneed.iter().take(64) {
            let Some(lib) = elf.dynstrtab.get_at(need.vn_file) else {
                continue;
            };
            for aux in need.iter().take(64) {
                out.push((aux.vna_other, short(lib)));
            }
        }
    }
    out
}

fn entry_section_by_vaddr(elf: &Elf, info: &BinaryInfo, entry: u64) -> Option<usize> {
    if entry == 0 {
        return None;
    }
    if !elf.section_headers.is_empty() {
        // `info.sections` skipped the null section; walk both in step.
        let mut kept = 0usize;
        for sh in elf.section_headers.iter().take(MAX_SECTIONS * 4) {
            if sh.sh_type == section_header::SHT_NULL {
                continue;
            }
            if kept >= info.sections.len() {
                break;
            }
            if sh.sh_flags & u64::from(section_header::SHF_ALLOC) != 0
                && entry >= sh.sh_addr
                && entry - sh.sh_addr < sh.sh_size
            {
                return Some(kept);
            }
            kept += 1;
        }
        return None;
    }
    let mut kept = 0usize;
    for ph in elf.program_headers.iter().take(MAX_SECTIONS) {
        if ph.p_type != program_header::PT_LOAD {
            continue;
        }
        if entry >= ph.p_vaddr && entry - ph.p_vaddr < ph.p_memsz {
            return Some(kept);
        }
        kept += 1;
    }
    None
}

fn extract_pe(bytes: &[u8]) -> goblin::error::Result<BinaryInfo> {
    let opts = goblin::pe::options::ParseOptions::default()
        .with_parse_mode(goblin::options::ParseMode::Permissive)
        .with_parse_tls_data(false)
        .with_parse_resources(false);
    let mut opts = opts;
    opts.parse_attribute_certificates = false;
    let pe = PE::parse_with_opts(bytes, &opts)?;
    let mut info = BinaryInfo::new(Format::Pe);
    info.bits = if pe.is_64 { 64 } else { 32 };
    info.machine = goblin::pe::header::machine_to_str(pe.header.coff_header.machine).to_owned();
    for imp in pe.imports.iter().take(MAX_IMPORTS * 4) {
        info.push_import(Some(imp.dll), &imp.name);
    }
    // goblin counts imports by ordinal as `ORDINAL n`; they name nothing we can match, but count.
    for exp in pe.exports.iter().take(MAX_EXPORTS * 4) {
        if let Some(name) = exp.name {
            info.push_export(name);
        }
    }
    let mut end = u64::from(
        pe.header
            .optional_header
            .map_or(0, |o| o.windows_fields.size_of_headers),
    );
    let entry = pe.entry;
    for s in pe.sections.iter().take(MAX_SECTIONS * 4) {
        let name = match &s.real_name {
            Some(n) => n.clone(),
            None => String::from_utf8_lossy(&s.name)
                .trim_end_matches('\0')
                .to_owned(),
        };
        let chars = s.characteristics;
        if entry != 0
            && info.entry_section.is_none()
            && entry >= s.virtual_address
            && u64::from(entry - s.virtual_address)
                < u64::from(s.virtual_size.max(s.size_of_raw_data))
            && info.sections.len() < MAX_SECTIONS
        {
            info.entry_section = Some(info.sections.len());
        }
        info.push_section(
            bytes,
            Section {
                name: short(&name),
                file_offset: u64::from(s.pointer_to_raw_data),
                file_size: u64::from(s.size_of_raw_data),
                mem_size: u64::from(s.virtual_size),
                exec: chars & goblin::pe::section_table::IMAGE_SCN_MEM_EXECUTE != 0
                    || chars & goblin::pe::section_table::IMAGE_SCN_CNT_CODE != 0,
                write: chars & goblin::pe::section_table::IMAGE_SCN_MEM_WRITE != 0,
                entropy: 0.0,
            },
        );
        if s.size_of_raw_data > 0 {
            end = end.max(
                u64::from(s.pointer_to_raw_data).saturating_add(u64::from(s.size_of_raw_data)),
            );
        }
    }
    info.overlay = (bytes.len() as u64).saturating_sub(end);
    let subsystem = pe
        .header
        .optional_header
        .map(|o| o.windows_fields.subsystem);
    let is_dotnet = pe.clr_data.is_some()
        || pe
            .header
            .optional_header
            .and_then(|o| o.data_directories.get_clr_runtime_header().copied())
            .is_some_and(|d| d.virtual_address != 0);
    info.pe = Some(PeDetails {
        is_dll: pe.is_lib,
        is_dotnet,
        timestamp: pe.header.coff_header.time_date_stamp,
        subsystem,
    });
    Ok(info)
}

fn extract_mach(bytes: &[u8]) -> goblin::error::Result<BinaryInfo> {
    match Mach::parse_lossy(bytes)? {
        Mach::Binary(macho) => {
            let mut info = BinaryInfo::new(Format::MachO);
            add_macho(&mut info, &macho, bytes, 0);
            info.bits = if macho.is_64 { 64 } else { 32 };
            info.machine = cpu_name(macho.header.cputype).to_owned();
            Ok(info)
        }
        Mach::Fat(fat) => {
            let mut info = BinaryInfo::new(Format::MachOFat);
            for (i, arch) in fat.iter_arches().take(MAX_FAT_ARCHES).enumerate() {
                let Ok(arch) = arch else { break };
                info.arches.push(cpu_name(arch.cputype).to_owned());
                if let Ok(SingleArch::MachO(macho)) = fat.get(i) {
                    let base = u64::from(arch.offset);
                    if info.bits == 0 {
                        info.bits = if macho.is_64 { 64 } else { 32 };
                    }
                    add_macho(&mut info, &macho, bytes, base);
                }
            }
            info.machine = info.arches.join("+");
            Ok(info)
        }
    }
}

/// Adds one thin Mach-O's sections and symbols. `base` is its offset in a fat file: section
/// offsets are relative to the slice.
fn add_macho(info: &mut BinaryInfo, macho: &MachO, bytes: &[u8], base: u64) {
    for seg in macho.segments.iter().take(MAX_SECTIONS) {
        let Ok(sections) = seg.sections() else {
            continue;
        };
        for (s, _) in sections.iter().take(MAX_SECTIONS) {
            let name = format!("{},{}", s.segname().unwrap_or("?"), s.name().unwrap_or("?"));
            let exec = s.flags
                & (mach::constants::S_ATTR_PURE_INSTRUCTIONS
                    | mach::constants::S_ATTR_SOME_INSTRUCTIONS)
                != 0;
            let zerofill = s.flags & mach::constants::SECTION_TYPE == mach::constants::S_ZEROFILL;
            info.push_section(
                bytes,
                Section {
                    name: short(&name),
                    file_offset: base.saturating_add(u64::from(s.offset)),
                    file_size: if zerofill { 0 } else { s.size },
                    mem_size: s.size,
                    exec,
                    write: seg.initprot & 2 != 0,
                    entropy: 0.0,
                },
            );
        }
    }
    // Imports and exports from the symbol table: the export trie and bind opcodes are left
    // alone (a looping trie would recurse without end).
    for s in macho.symbols().take(MAX_MACHO_SYMBOLS) {
        let Ok((name, nlist)) = s else { break };
        if !nlist.is_global() {
            continue;
        }
        let name = name.strip_prefix('_').unwrap_or(name);
        if nlist.is_undefined() {
            info.push_import(None, name);
        } else {
            info.push_export(name);
        }
    }
}

fn cpu_name(cputype: u32) -> &'static str {
    use goblin::mach::cputype::*;
    match cputype {
        CPU_TYPE_X86_64 => "x86_64",
        CPU_TYPE_X86 => "i386",
        CPU_TYPE_ARM64 => "arm64",
        CPU_TYPE_ARM64_32 => "arm64_32",
        CPU_TYPE_ARM => "arm",
        CPU_TYPE_POWERPC => "ppc",
        CPU_TYPE_POWERPC64 => "ppc64",
        _ => "unknown",
    }
}

fn subsystem_name(s: u16) -> &'static str {
    match s {
        1 => "native",
        2 => "windows-gui",
        3 => "windows-console",
        9 => "windows-ce",
        10 => "efi-application",
        11 => "efi-boot-driver",
        12 => "efi-runtime-driver",
        _ => "other",
    }
}

/// The bytes `[offset, offset + size)` clamped to the buffer: offsets and sizes come from
/// hostile headers.
pub(crate) fn slice(bytes: &[u8], offset: u64, size: u64) -> &[u8] {
    let len = bytes.len() as u64;
    let start = offset.min(len);
    let end = offset.saturating_add(size).min(len);
    &bytes[start as usize..end as usize]
}

/// Below this estimated entropy a code section is ordinary code (compiled code sits near
/// 5.5-6.5 bits per byte) and its sampled estimate stands; at or above it the exact figure is
/// computed. Well under the analyzer's high-entropy threshold (7.2), and far above a sample's
/// error on large sections (a 32 KiB sample of random bytes estimates 7.99).
pub(crate) const ENTROPY_SCREEN: f64 = 6.8;
/// Sections larger than this are screened with a sample first.
const SAMPLE_ABOVE: usize = 256 << 10;
/// The sample: one block of this many bytes in every `SAMPLE_STRIDE`.
const SAMPLE_BLOCK: usize = 64;
const SAMPLE_STRIDE: usize = 512;

/// The entropy of a code section: counting every byte of a large one cost more than the rest of
/// the binary analyzer, so a sample screens out ordinary code first.
pub(crate) fn code_entropy(data: &[u8]) -> f64 {
    if data.len() > SAMPLE_ABOVE {
        let sample: Vec<u8> = data
            .chunks(SAMPLE_STRIDE)
            .flat_map(|c| &c[..c.len().min(SAMPLE_BLOCK)])
            .copied()
            .collect();
        let estimate = entropy(&sample);
        if estimate < ENTROPY_SCREEN {
            return estimate;
        }
    }
    entropy(data)
}

/// Shannon entropy in bits per byte.
pub(crate) fn entropy(data: &[u8]) -> f64 {
    if data.is_empty() {
        return 0.0;
    }
    // Four tables, so that runs of one byte value do not wait on one counter's store.
    let mut tables = [[0u32; 256]; 4];
    let mut counts = [0u64; 256];
    // u32 counters cannot overflow within a chunk.
    for chunk in data.chunks(1 << 30) {
        let mut quads = chunk.chunks_exact(4);
        for q in &mut quads {
            tables[0][q[0] as usize] += 1;
            tables[1][q[1] as usize] += 1;
            tables[2][q[2] as usize] += 1;
            tables[3][q[3] as usize] += 1;
        }
        for &b in quads.remainder() {
            tables[0][b as usize] += 1;
        }
        for table in &mut tables {
            for (c, t) in counts.iter_mut().zip(table.iter_mut()) {
                *c += u64::from(std::mem::take(t));
            }
        }
    }
    let n = data.len() as f64;
    counts
        .iter()
        .filter(|&&c| c > 0)
        .map(|&c| {
            let p = c as f64 / n;
            -p * p.log2()
        })
        .sum()
}

/// A name cut to `MAX_NAME` characters.
fn short(s: &str) -> String {
    s.chars().take(MAX_NAME).collect()
}

/// Section names are raw bytes from the file; keep them printable for descriptions.
pub(crate) fn printable(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_control() { '?' } else { c })
        .collect()
}
