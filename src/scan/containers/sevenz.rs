//! 7z archives, read in memory by sevenz-rust2 (pure Rust, on the same lzma-rust2 as everything
//! else here). The crate bounds what it allocates for headers by a memory limit; the budget is
//! applied here around it:
//! - entries are read through the meter, and a solid block stops at the first entry that would
//!   pass what is left of the budget or the block's own ratio (its declared output against its
//!   packed bytes), so content in front of padding is still judged;
//! - an entry above `max_member` is kept as its header, and the rest of it, which the crate
//!   decodes to reach the next entry of a solid block, is charged before it is decoded;
//! - blocks behind AES are reported as encrypted members, never decoded (no password support is
//!   compiled in), and an encrypted header is an `Encrypted` problem.

use std::io::{self, Read};

use sevenz_rust2::{Archive, BlockDecoder, EncoderMethod, Error, Password};

use super::budget::{Budget, Metered, Problem, ProblemKind, HEADER_LEN};
use super::member::{cap_name, hand_over, read_member, Handed, Member, MemberData, Visit};

pub(crate) const SIGNATURE: &[u8; 6] = b"7z\xbc\xaf\x27\x1c";

/// Most memory the crate may use to read (and decompress) the archive's header.
const HEADER_MEMORY: u64 = 64 << 20;
/// Dictionary limit passed for blocks: lzma-rust2 grows its window with the output, so the
/// declared dictionary is not what bounds memory (the meter is), and real archives use up to
/// 1.5 GiB (`-mx9 -md=1536m`).
const BLOCK_DICTIONARY_KB: usize = 4 << 20;

pub fn is_7z(bytes: &[u8]) -> bool {
    bytes.starts_with(SIGNATURE)
}

fn problem(e: Error) -> Problem {
    match e {
        Error::PasswordRequired | Error::MaybeBadPassword(_) => Problem::new(
            ProblemKind::Encrypted,
            "7z: encrypted (header or block): not opened",
        ),
        Error::MaxMemLimited { max_kb, actaul_kb } => Problem::new(
            ProblemKind::OversizedHeader,
            format!("7z: the header needs {actaul_kb} KiB (limit {max_kb} KiB): not opened"),
        ),
        other => Problem::corrupt(format!("7z: {other}")),
    }
}

/// Calls `visit` for each file of the 7z archive in `bytes` and returns this layer's problems.
pub fn members(bytes: &[u8], budget: &Budget, visit: &mut Visit<'_>) -> Vec<Problem> {
    let mut source = io::Cursor::new(bytes);
    let header_kb = (HEADER_MEMORY.min(budget.remaining().max(1 << 20)) / 1024) as usize;
    let archive = match Archive::read_with_memory_limit(&mut source, &Password::empty(), header_kb)
    {
        Ok(a) => a,
        Err(e) => return vec![problem(e)],
    };
    let files_with_data = archive.files.iter().filter(|f| f.has_stream()).count();
    if files_with_data > budget.members_left() {
        return vec![Problem::new(
            ProblemKind::TooManyMembers,
            format!(
                "7z: {files_with_data} files, more than the {} members left of this file's budget: not opened",
                budget.members_left()
            ),
        )];
    }
    let mut problems = Vec::new();
    for block in 0..archive.blocks.len() {
        match read_block(&archive, block, &mut source, budget, visit) {
            Ok(mut found) => problems.append(&mut found),
            Err(p) => {
                problems.push(p);
                if budget.spent().is_some() {
                    break;
                }
            }
        }
    }
    problems
}

fn encrypted_block(archive: &Archive, block: usize) -> bool {
    archive.blocks[block]
        .coders
        .iter()
        .any(|c| c.encoder_method_id() == EncoderMethod::ID_AES256_SHA256)
}

/// The packed bytes of one block: its pack streams follow those of the blocks before it.
fn block_packed_size(archive: &Archive, block: usize) -> u64 {
    let firsts = archive.stream_map.block_first_pack_stream_index();
    let sizes = archive.pack_sizes();
    let start = firsts.get(block).copied().unwrap_or(0).min(sizes.len());
    let end = firsts
        .get(block + 1)
        .copied()
        .unwrap_or(sizes.len())
        .clamp(start, sizes.len());
    sizes[start..end].iter().sum::<u64>().max(1)
}

/// Reads the entries of one block; `Err` stops this block.
fn read_block(
    archive: &Archive,
    block: usize,
    source: &mut io::Cursor<&[u8]>,
    budget: &Budget,
    visit: &mut Visit<'_>,
) -> Result<Vec<Problem>, Problem> {
    let password = Password::empty();
    let decoder = BlockDecoder::new_with_memory_limit(
        1,
        BLOCK_DICTIONARY_KB,
        block,
        archive,
        &password,
        source,
    );
    if encrypted_block(archive, block) {
        for entry in decoder.entries().iter().filter(|e| e.has_stream()) {
            budget.take_member()?;
            visit(Member {
                name: cap_name(entry.name()),
                data: MemberData::Encrypted { size: entry.size() },
            });
        }
        return Ok(Vec::new());
    }
    let packed = block_packed_size(archive, block);
    let block_cap = budget.stream_cap(packed).ratio;
    let mut block_out = 0u64;
    let mut stop: Option<Problem> = None;
    let mut problems = Vec::new();
    let outcome = decoder.for_each_entries(&mut |entry, reader| {
        if !entry.has_stream() || entry.is_directory() {
            return Ok(true);
        }
        let name = cap_name(entry.name());
        let size = entry.size();
        if let Err(p) = budget.take_member() {
            stop = Some(p);
            return Ok(false);
        }
        block_out = block_out.saturating_add(size);
        if block_out > block_cap {
            stop = Some(budget.ratio_problem(&format!("7z block {block}"), block_out, packed));
            return Ok(false);
        }
        if size > budget.limits().max_member {
            // The crate decodes the part we leave unread to reach the next entry: charge it now.
            if let Err(p) = budget.charge(size.saturating_sub(HEADER_LEN as u64)) {
                stop = Some(p);
                return Ok(false);
            }
        } else if size > budget.remaining() {
            stop = Some(budget.charge(size).unwrap_err());
            return Ok(false);
        }
        let mut meter = Metered::new(reader, budget, size, format!("7z member {name}"));
        let (read, error) = read_member(&mut meter as &mut dyn Read, Some(size), budget);
        let limit = meter.take_stop();
        match hand_over(name.clone(), read, error, limit, visit) {
            Handed::Whole => {}
            Handed::Limit(limit) => {
                stop = Some(limit);
                return Ok(false);
            }
            Handed::Broken(e) => {
                problems.push(Problem::corrupt(format!("7z member {name}: {e}")));
                return Ok(false);
            }
        }
        Ok(true)
    });
    if let Err(e) = outcome {
        problems.push(problem(e));
    }
    match stop {
        Some(p) => Err(p),
        None => Ok(problems),
    }
}
