//! The unit manager pages' figures from operations synced through the
//! store's real write path, on SQLite and on PostgreSQL: the facts taken
//! from them, the figures per team, school and period, suppression of
//! small groups and complementary suppression, and a protected pupil
//! never under a school.

mod common;

use brygga_outcomes::complementary::Cell;
use brygga_outcomes::Figure;
use brygga_protocol::op::{DeviationCategory, OrgKind};
use brygga_server::outcomes::refresh;
use brygga_server::outcomes::views::{compute, compute_page, Filter, Views, NO_SCHOOL};
use brygga_server::store::{self, DynStore};
use chrono::NaiveDate;
use common::outcome_seed::{PupilSpec, SeedTeam};

fn d(s: &str) -> NaiveDate {
    s.parse().expect("date")
}

fn spec(school: &str, before: u32, after: u32) -> PupilSpec {
    PupilSpec::around(school, d("2025-09-01"), d("2025-11-12"), 10, before, after)
}

/// Team A: six pupils of Fiktiva skolan with a plan (20 % absence before,
/// 5 % after, on step "Heltid", a late contact from BUP each), two of
/// Lilla skolan and five of Norra skolan without (10 % both; Lilla's two
/// on step "Delvis"). Team B: four of Fiktiva skolan and one protected
/// pupil whose school must never show.
async fn seed(store: &DynStore) -> (SeedTeam, SeedTeam) {
    let mut a = SeedTeam::new(store, "team-a").await;
    for _ in 0..6 {
        let mut p = spec("Fiktiva skolan", 200, 50);
        p.plan = true;
        p.step = Some("Heltid".into());
        p.deviation = Some((OrgKind::Bup, DeviationCategory::LateContact));
        a.pupil(&p);
    }
    for _ in 0..2 {
        let mut p = spec("Lilla skolan", 100, 100);
        p.step = Some("Delvis".into());
        a.pupil(&p);
    }
    for _ in 0..5 {
        a.pupil(&spec("Norra skolan", 100, 100));
    }
    a.push().await;
    let mut b = SeedTeam::new(store, "team-b").await;
    for _ in 0..4 {
        b.pupil(&spec("Fiktiva skolan", 100, 100));
    }
    let mut protected = spec("Hemliga skolan", 100, 100);
    protected.protected = true;
    b.pupil(&protected);
    b.push().await;
    (a, b)
}

fn year(school: Option<&str>) -> Filter {
    Filter {
        school: school.map(str::to_owned),
        from: d("2025-08-01"),
        to: d("2026-06-30"),
    }
}

/// A page's views, from the rows a page reads: the same as from every
/// fact.
async fn views(store: &DynStore, team: Option<i64>, school: Option<&str>) -> Views {
    let rows = store.outcome_rows(team).await.expect("rows");
    let page = compute_page(&rows.facts, &rows.weeks, &year(school), d("2026-06-30"));
    let facts = store.outcome_facts(team).await.expect("facts");
    assert_eq!(page, compute(&facts, &year(school), d("2026-06-30")));
    page
}

fn rows(v: &[(String, Cell)]) -> Vec<(&str, Cell)> {
    v.iter().map(|(l, c)| (l.as_str(), *c)).collect()
}

async fn story(store: DynStore) {
    let (a, b) = seed(&store).await;
    refresh(&store).await.expect("refresh");
    // A second refresh finds nothing new and changes nothing.
    let before = store.outcome_facts(Some(a.team_id)).await.expect("facts");
    refresh(&store).await.expect("refresh again");
    assert_eq!(
        store.outcome_facts(Some(a.team_id)).await.expect("facts"),
        before
    );
    for f in &before {
        for personal in ["Fiktiv Elev", "201001012384", "Hemlig"] {
            assert!(!format!("{f:?}").contains(personal), "{f:?}");
        }
    }

    let v = views(&store, Some(a.team_id), None).await;
    // Lilla skolan's 2 would be 13 - 6 - 5: Norra skolan's 5 is withheld.
    assert_eq!(
        rows(&v.followed.rows),
        [
            ("Fiktiva skolan", Cell::Shown(6)),
            ("Lilla skolan", Cell::Small),
            ("Norra skolan", Cell::Withheld),
        ]
    );
    assert_eq!(v.followed.total, Cell::Shown(13));
    assert_eq!(
        rows(&v.plans.rows),
        [
            ("Med samverkansplan", Cell::Shown(6)),
            ("Utan samverkansplan", Cell::Shown(7)),
        ]
    );
    let with = &v.outcomes.groups[0];
    assert_eq!(with.pupils, Figure::Count(6));
    assert_eq!(with.before_total_pct, Figure::Percent(20.0));
    assert_eq!(with.after_total_pct, Figure::Percent(5.0));
    assert_eq!(with.change_total_pct_points, Figure::Percent(-15.0));
    assert_eq!(with.improved, Figure::Suppressed, "all six: none did not");
    let without = &v.outcomes.groups[1];
    assert_eq!(without.pupils, Figure::Count(7));
    assert_eq!(without.change_total_pct_points, Figure::Percent(0.0));
    // Delvis (2) would be 8 - 6: Heltid is withheld too.
    assert_eq!(
        rows(&v.ladder.rows),
        [("Delvis", Cell::Small), ("Heltid", Cell::Withheld)]
    );
    assert_eq!(v.ladder.total, Cell::Shown(8));
    assert_eq!(v.deviations.len(), 1);
    let dev = &v.deviations[0];
    assert_eq!(
        (dev.partner.as_str(), dev.category.as_str()),
        ("BUP", "Sen kontakt")
    );
    assert_eq!(dev.figures.pupils, Figure::Count(6));
    assert_eq!(dev.figures.open, Figure::Count(6));
    assert_eq!(dev.figures.raised, Figure::Count(0));
    assert_eq!(v.esf_started, Figure::Count(13));
    assert_eq!(v.esf_ended, Figure::Count(0));

    // One school: only its pupils.
    let v = views(&store, Some(a.team_id), Some("Fiktiva skolan")).await;
    assert_eq!(v.followed.total, Cell::Shown(6));
    assert_eq!(v.outcomes.groups[1].pupils, Figure::Count(0));

    // Team B: the protected pupil is counted, under no school.
    let v = views(&store, Some(b.team_id), None).await;
    assert_eq!(
        rows(&v.followed.rows),
        [("Fiktiva skolan", Cell::Small), (NO_SCHOOL, Cell::Small)]
    );
    assert_eq!(v.followed.total, Cell::Shown(5));
    assert!(
        !v.schools.iter().any(|s| s == "Hemliga skolan"),
        "{:?}",
        v.schools
    );
    let hidden = views(&store, Some(b.team_id), Some("Hemliga skolan")).await;
    assert_eq!(hidden.followed.total, Cell::Shown(0));

    // Every team: the schools' pupils together.
    let all = store.outcome_facts(None).await.expect("facts");
    let mine: Vec<_> = all
        .into_iter()
        .filter(|f| f.team_id == a.team_id || f.team_id == b.team_id)
        .collect();
    let v = compute(&mine, &year(None), d("2026-06-30"));
    assert_eq!(
        v.followed.rows[0],
        ("Fiktiva skolan".to_owned(), Cell::Shown(10))
    );
    assert_eq!(v.followed.total, Cell::Shown(18));

    // A period before the cases: no one.
    let v = compute(
        &store.outcome_facts(Some(a.team_id)).await.expect("facts"),
        &Filter {
            school: None,
            from: d("2024-08-01"),
            to: d("2025-06-30"),
        },
        d("2026-06-30"),
    );
    assert_eq!(v.followed.total, Cell::Shown(0));
}

#[tokio::test]
async fn sqlite_outcome_story() {
    let dir = tempfile::tempdir().expect("tempdir");
    let url = format!("sqlite:{}", dir.path().join("server.db").display());
    story(store::open(&url).await.expect("open")).await;
}

#[tokio::test]
async fn postgres_outcome_story() {
    if let Some(url) = common::postgres_url() {
        story(store::open(&url).await.expect("open")).await;
    }
}

/// A server of schema 8 that had taken its facts: step 9 takes them again
/// from the operations, with each pupil's weeks, and the pages show what
/// they showed.
#[tokio::test]
async fn sqlite_pages_after_the_upgrade_from_schema_8() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("server.db");
    let url = format!("sqlite:{}", path.display());
    let store = store::open(&url).await.expect("open");
    let (a, b) = seed(&store).await;
    let teams = [Some(a.team_id), Some(b.team_id)];
    drop((a, b));
    refresh(&store).await.expect("refresh");
    let mut before = Vec::new();
    for team in teams {
        before.push(views(&store, team, None).await);
    }
    drop(store);
    // The database as a server of schema 8 left it: the facts, no weeks.
    let conn = rusqlite::Connection::open(&path).expect("open the file");
    conn.execute_batch(
        "DROP TABLE outcome_weeks;
         DROP INDEX outcome_facts_by_kind;
         DELETE FROM schema_migrations WHERE version = 9;",
    )
    .expect("back to schema 8");
    let facts: i64 = conn
        .query_row("SELECT count(*) FROM outcome_facts", [], |r| r.get(0))
        .expect("facts");
    assert!(facts > 0);
    drop(conn);

    let store = store::open(&url).await.expect("open and migrate");
    refresh(&store).await.expect("refresh");
    for (team, before) in teams.into_iter().zip(before) {
        assert_eq!(views(&store, team, None).await, before, "team {team:?}");
    }
}
