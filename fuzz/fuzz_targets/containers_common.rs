//! Shared by the fuzz targets: small limits (so that each input stays fast) and a visit that
//! opens members recursively, the way the scanner will.
use minerscan::testing::scan::containers::{detect, for_each_member, Budget, Limits, Member, MemberData};

pub fn limits() -> Limits {
    Limits {
        max_total_bytes: 16 << 20,
        max_members: 2_000,
        max_member: 4 << 20,
        ..Limits::default()
    }
}

pub fn visit_recursively(budget: &Budget) -> impl FnMut(Member<'_>) + '_ {
    move |m: Member<'_>| {
        if let MemberData::Bytes(b) = m.data {
            if let Some(c) = detect(b, &m.name) {
                let _ = for_each_member(c, b, &m.name, budget, &mut visit_recursively(budget));
            }
        }
    }
}
