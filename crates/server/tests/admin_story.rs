//! The store's reads behind the administrator's pages, on both backends:
//! every user with their team, and when each device last pushed and
//! pulled.

mod common;

use brygga_server::admin;
use brygga_server::store::plan::Revocation;
use brygga_server::store::{self, DynStore, LastSync, WriteBatch};
use common::{audit_row as audit, enrol, now_ms, unique};

async fn admin_story(store: DynStore) {
    let now = now_ms();
    let (team_b, team_a) = (unique("B-team"), unique("A-team"));
    for team in [&team_b, &team_a] {
        store
            .add_team(team, audit(now, "admin", "team.add"))
            .await
            .expect("team");
    }
    let (bo, ada, cy) = (unique("bo"), unique("ada"), unique("cy"));
    for (user, team) in [(&bo, &team_b), (&cy, &team_a), (&ada, &team_a)] {
        store
            .add_user(user, team, audit(now, "admin", "user.add"))
            .await
            .expect("user");
    }

    // By team name, then user name, each with its team.
    let listed: Vec<(String, String)> = store
        .users()
        .await
        .expect("users")
        .into_iter()
        .filter(|u| [&bo, &ada, &cy].contains(&&u.name))
        .map(|u| (u.team.name, u.name))
        .collect();
    assert_eq!(
        listed,
        [
            (team_a.clone(), ada.clone()),
            (team_a.clone(), cy.clone()),
            (team_b.clone(), bo.clone())
        ]
    );

    // The newest push and the newest pull of each device, whatever came
    // after them; a device that never synced is not listed.
    let synced = enrol(&store, &ada, now).await;
    let silent = enrol(&store, &bo, now).await;
    let actor = format!("device:{synced}");
    let rows = [
        (now + 1, "push"),
        (now + 5, "push"),
        (now + 2, "pull"),
        (now + 6, "pull"),
        (now + 9, "status"),
        (now + 3, "pull"),
    ];
    let batch = WriteBatch {
        audits: rows
            .iter()
            .map(|(at, action)| audit(*at, &actor, action))
            .collect(),
        ..Default::default()
    };
    store.write(batch).await.expect("write");
    let last = store.devices_last_sync().await.expect("last sync");
    let expected = LastSync {
        push_ms: Some(now + 5),
        pull_ms: Some(now + 6),
    };
    assert_eq!(last.get(&synced), Some(&expected));
    assert_eq!(expected.latest(), Some(now + 6));
    assert_eq!(last.get(&silent), None);

    // The teams' page: each team's users with their active and revoked
    // devices.
    let revocation = Revocation::now(now + 10);
    store
        .revoke_device(
            silent,
            revocation,
            audit(now + 10, "admin", "device.revoke"),
        )
        .await
        .expect("revoke");
    let teams = admin::teams(store.as_ref()).await.expect("teams");
    let counts = |team: &str| -> Vec<(String, usize, usize)> {
        teams
            .iter()
            .find(|t| t.team.name == team)
            .expect("team listed")
            .users
            .iter()
            .map(|(u, active, revoked)| (u.name.clone(), *active, *revoked))
            .collect()
    };
    assert_eq!(counts(&team_a), [(ada.clone(), 1, 0), (cy.clone(), 0, 0)]);
    assert_eq!(counts(&team_b), [(bo.clone(), 0, 1)]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_admin_story() {
    let dir = tempfile::tempdir().expect("tempdir");
    let url = format!("sqlite:{}", dir.path().join("server.db").display());
    admin_story(store::open(&url).await.expect("open")).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_admin_story() {
    if let Some(url) = common::postgres_url() {
        admin_story(store::open(&url).await.expect("open")).await;
    }
}
