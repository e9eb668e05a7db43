//! What a database of an earlier schema holds, and must still hold once a
//! backend has opened (and migrated) it: the upgrade tests of both
//! backends write these rows in their own SQL and check them here. Both
//! write two server audit rows (a `team.add` at 1000 ms, a pull of the
//! active device at 3000 ms) and, from version 3 on, a device audit row
//! of the active device at 2000 ms.

use super::{AuditEntry, AuditFilter, Store};
use uuid::Uuid;

/// The fixture's devices, ordered by id: name, and the last seq step 2
/// records for it (a revoked device's highest stored seq, 0 without ops,
/// nothing while active).
const DEVICES: [(&str, Option<i64>); 3] = [
    ("revoked, ops", Some(7)),
    ("revoked, none", Some(0)),
    ("active", None),
];

/// Checks the fixture's rows in `store`, opened on a database built at
/// schema `from`.
pub(crate) async fn assert_upgraded(store: &dyn Store, from: usize) {
    let team = store
        .teams()
        .await
        .expect("teams")
        .into_iter()
        .find(|t| t.name == "Fiktivt team")
        .unwrap_or_else(|| panic!("the team of a version {from} database"));
    let user = store.user("fiktiv").await.expect("user");
    assert_eq!(
        user.map(|u| u.team),
        Some(team.clone()),
        "from version {from}"
    );
    let devices = store.team_devices(team.id).await.expect("devices");
    let names: Vec<&str> = devices.iter().map(|d| d.name.as_str()).collect();
    assert_eq!(names, DEVICES.map(|d| d.0), "from version {from}");
    if from < 2 {
        let last_seqs: Vec<Option<i64>> =
            devices.iter().map(|d| d.last_seq_at_revocation).collect();
        assert_eq!(
            last_seqs,
            DEVICES.map(|d| d.1),
            "step 2, from version {from}"
        );
    }
    let page = store.pull(team.id, 0, 10).await.expect("pull");
    assert_eq!(page.ops.len(), 3, "the operations of version {from}");
    // Step 3: the devices' audit logs (one row from version 3 on), no
    // breaks; step 6: the review reads them with the server's rows, by
    // time, page by page.
    let breaks = store.audit_breaks().await.expect("audit breaks");
    assert!(breaks.is_empty(), "from version {from}");
    let of_device = AuditFilter {
        device: Some(Uuid::from_u128(3)),
        ..Default::default()
    };
    let mut actions = Vec::new();
    let mut after = None;
    loop {
        let page = store
            .audit_page(&of_device, after, 1)
            .await
            .expect("audit page");
        actions.extend(page.rows.iter().map(|e| match e {
            AuditEntry::Device(r) => r.row.action.clone(),
            AuditEntry::Server(r) => r.record.action.clone(),
        }));
        match page.next {
            Some(next) => after = Some(next),
            None => break,
        }
    }
    let want: &[&str] = if from >= 3 {
        &["read", "pull"]
    } else {
        &["pull"]
    };
    assert_eq!(actions, want, "from version {from}");
    let added = store
        .audit_page(
            &AuditFilter {
                action: Some("team.add".into()),
                ..Default::default()
            },
            None,
            10,
        )
        .await
        .expect("audit page");
    assert_eq!(added.rows.len(), 1, "from version {from}");
    // Step 5: retention, at its defaults, nothing purged or kept.
    assert_eq!(
        store.retention_settings().await.expect("settings"),
        crate::store::retention::Settings::default(),
        "from version {from}"
    );
    assert_eq!(
        store.notices(team.id, 0, 10).await.expect("notices"),
        crate::store::PullPage::default()
    );
    assert!(store
        .retention_candidates()
        .await
        .expect("candidates")
        .is_empty());
}
