//! The Swedish names the files and pages print of a deviation's partner
//! and category.

use brygga_protocol::op::{DeviationCategory, OrgKind};

/// The columns of a table of deviations by partner and category.
pub const DEVIATION_COLUMNS: [&str; 7] = [
    "Samverkanspart",
    "Kategori",
    "Elever",
    "Avvikelser",
    "Öppna",
    "Lyfta med parten",
    "Åtgärdade",
];

/// The Swedish name of a kind of organisation, as the export prints it.
pub fn partner_label(kind: &str) -> &str {
    match OrgKind::parse(kind) {
        Some(OrgKind::School) => "Skolan",
        Some(OrgKind::StudentHealth) => "Elevhälsan",
        Some(OrgKind::Bup) => "BUP",
        Some(OrgKind::YouthClinic) => "Ungdomsmottagningen",
        Some(OrgKind::ChildHealth) => "Barnhälsovården",
        Some(OrgKind::Police) => "Polisen",
        Some(OrgKind::LeisureServices) => "Fritidsverksamheten",
        Some(OrgKind::SocialServices) => "Socialtjänsten",
        Some(OrgKind::Other) => "Annan",
        None => kind,
    }
}

/// The Swedish name of a category, as the export prints it.
pub fn category_label(category: &str) -> &str {
    match DeviationCategory::parse(category) {
        Some(DeviationCategory::LateContact) => "Sen kontakt",
        Some(DeviationCategory::ActionNotDone) => "Överenskommen insats inte gjord",
        Some(DeviationCategory::InformationNotPassed) => "Information inte överförd",
        Some(DeviationCategory::GuardianAsMessenger) => "Vårdnadshavare som budbärare",
        Some(DeviationCategory::Other) => "Annat",
        None => category,
    }
}
