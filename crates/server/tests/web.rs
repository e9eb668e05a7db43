//! The web pages on a real `brygga-server` process, over HTTPS, on both
//! backends: the login with a TOTP code, the growing wait after failed
//! logins, each role's pages (403 otherwise, and a device's signature
//! opens none), CSRF refused, the idle timeout (the server's test clock
//! moved forward), and the headers every page carries. The same in a real
//! browser, with axe and screenshots: ui/tests/browser/web.test.mjs.

mod common;

use brygga_server::staff::totp;
use common::outcome_seed::{PupilSpec, SeedTeam};
use common::{Device, Server, ServerHome};
use reqwest::header::HeaderMap;
use reqwest::header::{CACHE_CONTROL, CONTENT_SECURITY_POLICY, LOCATION, SET_COOKIE};
use reqwest::{redirect, Client, StatusCode};
use std::path::PathBuf;

/// What `staff add` printed.
struct Account {
    name: String,
    password: String,
    secret: Vec<u8>,
}

fn add_staff(home: &ServerHome, name: &str, roles: &[&str]) -> Account {
    let mut args = vec!["staff", "add", name];
    for r in roles {
        args.extend(["--role", r]);
    }
    let out = home.admin(&args);
    let field = |key: &str| {
        out.lines()
            .find_map(|l| l.strip_prefix(key))
            .unwrap_or_else(|| panic!("{key} in {out}"))
            .trim()
            .to_string()
    };
    Account {
        name: name.to_string(),
        password: field("password:"),
        secret: totp::from_base32(&field("totp-secret:")).expect("base32"),
    }
}

/// An answer as sent: status, headers and body.
struct Page {
    status: StatusCode,
    headers: HeaderMap,
}

impl Page {
    fn status(&self) -> StatusCode {
        self.status
    }

    fn headers(&self) -> &HeaderMap {
        &self.headers
    }
}

/// A browser-like client: it keeps the cookies itself and follows no
/// redirect, so each answer is seen as sent.
struct Browser {
    client: Client,
    base: String,
    cookies: Vec<(String, String)>,
}

impl Browser {
    fn new(server: &Server) -> Browser {
        Browser {
            client: web_client(server),
            base: server.base_url(),
            cookies: Vec::new(),
        }
    }

    fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    fn keep_cookies(&mut self, response: &reqwest::Response) {
        for set in response.headers().get_all(SET_COOKIE) {
            let set = set.to_str().expect("ascii");
            let (pair, _) = set.split_once(';').unwrap_or((set, ""));
            let (k, v) = pair.split_once('=').expect("name=value");
            self.cookies.retain(|(name, _)| name != k);
            if !set.contains("Max-Age=0") {
                self.cookies.push((k.to_string(), v.to_string()));
            }
        }
    }

    async fn get(&mut self, path: &str) -> (Page, String) {
        let request = self.client.get(format!("{}{path}", self.base));
        self.send(request).await
    }

    async fn post(&mut self, path: &str, form: &[(&str, &str)]) -> (Page, String) {
        let request = self.client.post(format!("{}{path}", self.base)).form(form);
        self.send(request).await
    }

    /// Sends `request` with the cookies kept, and keeps those it sets.
    async fn send(&mut self, request: reqwest::RequestBuilder) -> (Page, String) {
        let response = request
            .header("cookie", self.cookie_header())
            .send()
            .await
            .expect("the server answers");
        self.keep_cookies(&response);
        let page = Page {
            status: response.status(),
            headers: response.headers().clone(),
        };
        (page, response.text().await.expect("body"))
    }

    /// The login form's CSRF token (with its cookie kept).
    async fn login_token(&mut self) -> String {
        let (response, body) = self.get("/login").await;
        assert_eq!(response.status(), StatusCode::OK);
        csrf_of(&body)
    }

    async fn login(&mut self, account: &Account, code: &str) -> (Page, String) {
        let token = self.login_token().await;
        self.post(
            "/login",
            &[
                ("name", &account.name),
                ("password", &account.password),
                ("code", code),
                ("csrf", &token),
            ],
        )
        .await
    }
}

fn web_client(server: &Server) -> Client {
    Client::builder()
        .tls_built_in_root_certs(false)
        .add_root_certificate(reqwest::Certificate::from_pem(&server.cert_pem).expect("PEM"))
        .https_only(true)
        .redirect(redirect::Policy::none())
        .build()
        .expect("client")
}

/// The first hidden `csrf` field's value.
fn csrf_of(body: &str) -> String {
    let at = body.find(r#"name="csrf" value=""#).expect("a csrf field") + 19;
    body[at..].split('"').next().expect("value").to_string()
}

fn now_code(account: &Account, offset_ms: i64) -> String {
    let now = common::now_ms() + offset_ms;
    totp::code(&account.secret, totp::step_of(now))
}

fn location(response: &Page) -> &str {
    response
        .headers()
        .get(LOCATION)
        .map(|l| l.to_str().expect("ascii"))
        .unwrap_or("")
}

/// Team A of six pupils with a plan at Fiktiva skolan (20 % absence
/// before, 5 % after) and two at Lilla skolan without, synced before the
/// server starts; its id.
async fn seed_outcomes(home: &ServerHome) -> i64 {
    let store = brygga_server::store::open(&home.database)
        .await
        .expect("store");
    let mut team = SeedTeam::new(&store, "team-a").await;
    let day = |s: &str| s.parse::<chrono::NaiveDate>().expect("date");
    for (school, plan, before, after) in [("Fiktiva skolan", true, 200, 50); 6]
        .into_iter()
        .chain([("Lilla skolan", false, 100, 100); 2])
    {
        let mut p = PupilSpec::around(
            school,
            day("2025-09-01"),
            day("2025-11-12"),
            10,
            before,
            after,
        );
        p.plan = plan;
        team.pupil(&p);
    }
    team.push().await;
    team.team_id
}

/// The unit manager's page and files of the seeded team: figures, "<5"
/// and "–" (complementary), no name or personnummer, CSV and PDF.
async fn outcome_pages(m: &mut Browser, team: &i64) {
    let query = format!("team={team}&from=2025-08-01&to=2026-06-30");
    let (r, body) = m.get(&format!("/outcomes?{query}")).await;
    assert_eq!(r.status(), StatusCode::OK, "{body}");
    assert_eq!(r.headers()[CACHE_CONTROL], "no-store");
    for shown in [
        // 8 - 2 would give Fiktiva skolan's small neighbour back: withheld.
        "<th scope=\"row\">Fiktiva skolan</th><td>–</td>",
        "<th scope=\"row\">Totalt</th><td>8</td>",
        "<th scope=\"row\">Lilla skolan</th><td>&lt;5</td>",
        "<th scope=\"row\">Frånvaro före, totalt (%)</th><td>20,0</td><td>&lt;5</td>",
        "<th scope=\"row\">Frånvaro efter, totalt (%)</th><td>5,0</td><td>&lt;5</td>",
        "<svg role=\"img\"",
    ] {
        assert!(body.contains(shown), "{shown} in {body}");
    }
    for personal in ["Fiktiv Elev", "201001012384", "Hemlig"] {
        assert!(!body.contains(personal), "{personal}");
    }
    let (r, csv) = m.get(&format!("/outcomes/followed.csv?{query}")).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(
        csv,
        "\u{feff}Skola;Elever\r\nFiktiva skolan;–\r\nLilla skolan;<5\r\nTotalt;8\r\n"
    );
    let (r, _) = m.get(&format!("/outcomes/absence.pdf?{query}")).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["content-type"], "application/pdf");
    let (r, _) = m.get("/outcomes/nothing.csv").await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let (r, body) = m.get("/outcomes?from=2026-13-01").await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert!(body.contains("ÅÅÅÅ-MM-DD"));
}

async fn web_story(postgres: Option<&str>) {
    let home = ServerHome::new(postgres);
    let seeded = seed_outcomes(&home).await;
    let clock: PathBuf = home.data_dir().join("test-clock");
    std::fs::write(&clock, "0").expect("clock");
    let server = Server::start_with_env(&home, &[("BRYGGA_SERVER_TEST_CLOCK_FILE", &clock)]);
    let suffix = common::unique("w");
    let auditor = add_staff(&home, &format!("revisor-{suffix}"), &["auditor"]);
    let admin = add_staff(&home, &format!("admin-{suffix}"), &["administrator"]);
    let manager = add_staff(&home, &format!("chef-{suffix}"), &["unit-manager"]);

    // Without a session every page sends to the login.
    let mut b = Browser::new(&server);
    let (r, _) = b.get("/audit").await;
    assert_eq!(
        (r.status(), location(&r)),
        (StatusCode::SEE_OTHER, "/login")
    );

    // The login form: its own CSRF cookie, every header.
    let (r, body) = b.get("/login").await;
    let csp = r.headers()[CONTENT_SECURITY_POLICY].to_str().expect("csp");
    assert!(
        csp.contains("default-src 'none'") && !csp.contains("unsafe-inline"),
        "{csp}"
    );
    assert_eq!(r.headers()[CACHE_CONTROL], "no-store");
    let set = r.headers()[SET_COOKIE].to_str().expect("cookie");
    assert!(set.starts_with("__Host-brygga-login="), "{set}");
    assert!(set.contains("Secure; HttpOnly; SameSite=Strict"), "{set}");
    assert!(body.contains(r#"name="code""#));

    // A login form without its cookie's token is refused.
    let (r, _) = b
        .post(
            "/login",
            &[
                ("name", &auditor.name),
                ("password", &auditor.password),
                ("code", &now_code(&auditor, 0)),
                ("csrf", "forged"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);

    // A right password with a wrong code is not enough.
    let wrong = format!(
        "{:06}",
        (now_code(&auditor, 0).parse::<u32>().expect("digits") + 1) % 1_000_000
    );
    let (r, body) = b.login(&auditor, &wrong).await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    assert!(body.contains("Fel användarnamn, lösenord eller kod"));

    // Password and code: a session cookie with every flag, then the pages.
    let code = now_code(&auditor, 0);
    let (r, _) = b.login(&auditor, &code).await;
    assert_eq!((r.status(), location(&r)), (StatusCode::SEE_OTHER, "/"));
    let session = r
        .headers()
        .get_all(SET_COOKIE)
        .iter()
        .map(|v| v.to_str().expect("ascii").to_string())
        .find(|c| c.starts_with("__Host-brygga-session="))
        .expect("a session cookie");
    assert!(
        session.contains("; Path=/; Secure; HttpOnly; SameSite=Strict"),
        "{session}"
    );
    // (PostgreSQL's database is shared with the other tests: the
    // auditor's own rows.)
    let (r, body) = b.get(&format!("/audit?user=staff:{}", auditor.name)).await;
    assert_eq!(r.status(), StatusCode::OK, "{body}");
    assert_eq!(r.headers()[CACHE_CONTROL], "no-store");
    assert!(body.contains("Granskning av loggen") && body.contains("web.login"));
    // An auditor is no administrator, and no unit manager.
    let (r, _) = b.get("/devices").await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let (r, _) = b.get("/outcomes").await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    // A form without the session's token is refused, and logged.
    let (r, _) = b.post("/logout", &[("csrf", "not-the-token")]).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let mine = format!("/audit?user=staff:{}", auditor.name);
    let (_, body) = b.get(&format!("{mine}&action=web.csrf-refused")).await;
    assert!(body.contains("/logout"), "the refusal is in the review");
    let (_, body) = b.get(&format!("{mine}&action=web.forbidden")).await;
    assert!(body.contains("/devices"));

    // A device's audit rows with a gap: the break is an alert above the
    // review, the rows after it are marked, the review goes page by page.
    let (_, chain_user) = home.team_and_user();
    let logger = Device::new(&server);
    logger.enroll_ok(&home.enroll_code(&chain_user, 60)).await;
    let rows = logger.audit_chain(130);
    logger.audit(&rows[..120]).await;
    logger.audit(&rows[121..]).await;
    let id = logger.id.to_string();
    let (r, body) = b.get(&format!("/audit?device={id}&pupil=p1")).await;
    assert_eq!(r.status(), StatusCode::OK);
    let alert = body.split("<h2>Loggen</h2>").next().expect("the alert");
    assert!(
        alert.contains("Brott i loggkedjorna:")
            && alert.contains(&id)
            && alert.contains("rader saknas före denna (gap)")
    );
    assert_eq!(
        body.matches("<td>2026-03-02").count(),
        100,
        "a page of 100 rows"
    );
    let marked = body.matches(r#"<tr class="after-break">"#).count();
    let next = body
        .split(r#"<a href="/audit?"#)
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("a link to the next page")
        .replace("&amp;", "&");
    let (r, body) = b.get(&format!("/audit?{next}")).await;
    assert_eq!(r.status(), StatusCode::OK);
    let marked = marked + body.matches(r#"<tr class="after-break">"#).count();
    assert_eq!(marked, 9, "rows 122 to 130 came after the gap");
    assert_eq!(
        body.matches("<td>2026-03-02").count(),
        29,
        "the other 29 rows"
    );
    assert!(!body.contains("Nästa sida"));
    let (r, body) = b.get("/audit?from=igår").await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert!(body.contains("är inget datum"));

    // The code of that login does not open a second session.
    let mut again = Browser::new(&server);
    let (r, _) = again.login(&auditor, &code).await;
    assert_eq!(
        r.status(),
        StatusCode::UNAUTHORIZED,
        "a TOTP code is good once"
    );

    // Idle for more than 15 minutes (the server's clock moved on): the
    // session has ended.
    std::fs::write(&clock, (16 * 60_000).to_string()).expect("clock");
    let (r, _) = b.get("/audit").await;
    assert_eq!(
        (r.status(), location(&r)),
        (StatusCode::SEE_OTHER, "/login?ended=idle")
    );
    let (r, _) = b.get("/audit").await;
    assert_eq!(location(&r), "/login", "the cookie was deleted");

    // The administrator's pages, and a revocation through them; no audit.
    let mut a = Browser::new(&server);
    let (r, _) = a.login(&admin, &now_code(&admin, 16 * 60_000)).await;
    let (forbidden, _) = a.get("/outcomes").await;
    assert_eq!(
        forbidden.status(),
        StatusCode::FORBIDDEN,
        "an administrator"
    );
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (team, user) = home.team_and_user();
    let device = Device::new(&server);
    device.enroll_ok(&home.enroll_code(&user, 60)).await;
    let (r, body) = a.get("/devices").await;
    assert_eq!(r.status(), StatusCode::OK);
    assert!(body.contains(&device.id.to_string()) && body.contains(&team));
    let (r, _) = a.get("/audit").await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let token = csrf_of(&body);
    let id = device.id.to_string();
    let (r, _) = a
        .post("/devices/revoke", &[("csrf", "forged"), ("id", &id)])
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert_eq!(device.status_raw().await.status, 200, "still enrolled");
    let (r, body) = a
        .post("/devices/revoke", &[("csrf", &token), ("id", &id)])
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    assert!(body.contains("är spärrad"));
    assert_eq!(device.status_raw().await.status, 403, "revoked");
    let (r, body) = a
        .post(
            "/devices/enrol-code",
            &[("csrf", &token), ("user", &user), ("minutes", "30")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let code_line = body
        .split(r#"<p class="code" id="enrol-code">"#)
        .nth(1)
        .and_then(|rest| rest.split('<').next())
        .expect("the code");
    let mut second = Device::new(&server);
    second.enroll_ok(code_line).await;

    // A device's signature opens no page: it is sent to the login.
    second.client = web_client(&server);
    let answer = second.send("GET", "/devices", Vec::new()).await;
    assert_eq!(answer.status, 303);
    let answer = second.send("GET", "/audit", Vec::new()).await;
    assert_eq!(answer.status, 303);

    // A unit manager opens neither; after three failed logins the next
    // one waits.
    let mut m = Browser::new(&server);
    for _ in 0..3 {
        let token = m.login_token().await;
        let (r, _) = m
            .post(
                "/login",
                &[
                    ("name", &manager.name),
                    ("password", "fel"),
                    ("code", "000000"),
                    ("csrf", &token),
                ],
            )
            .await;
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    }
    let (r, body) = m.login(&manager, &now_code(&manager, 16 * 60_000)).await;
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS, "{body}");
    assert!(body.contains("Vänta"));
    std::fs::write(&clock, (17 * 60_000).to_string()).expect("clock");
    let (r, _) = m.login(&manager, &now_code(&manager, 17 * 60_000)).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "the wait is over");
    for page in ["/audit", "/devices"] {
        let (r, _) = m.get(page).await;
        assert_eq!(r.status(), StatusCode::FORBIDDEN, "{page}");
    }
    outcome_pages(&mut m, &seeded).await;

    // A person changes their own password: the current one is checked
    // (a wrong one counts as a failed login), the new one must be long
    // and typed twice; the change ends the session.
    let (_, body) = m.get("/password").await;
    let token = csrf_of(&body);
    let new_password = "kanel cykel fönster hav";
    let current = manager.password.as_str();
    let form = |current, repeat| {
        [
            ("csrf", token.as_str()),
            ("current", current),
            ("new", new_password),
            ("repeat", repeat),
        ]
    };
    let (r, _) = m.post("/password", &form("fel", new_password)).await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let (r, body) = m.post("/password", &form(current, "något annat")).await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert!(body.contains("skrevs olika"));
    let (r, _) = m.post("/password", &form(current, new_password)).await;
    assert_eq!(
        (r.status(), location(&r)),
        (StatusCode::SEE_OTHER, "/login?ended=password")
    );
    let (r, _) = m.get("/").await;
    assert_eq!(location(&r), "/login");
    std::fs::write(&clock, (18 * 60_000).to_string()).expect("clock");
    let (r, _) = m.login(&manager, &now_code(&manager, 18 * 60_000)).await;
    assert_eq!(
        r.status(),
        StatusCode::UNAUTHORIZED,
        "the old password is gone"
    );
    let renewed = Account {
        password: new_password.to_string(),
        ..manager
    };
    std::fs::write(&clock, (19 * 60_000).to_string()).expect("clock");
    let (r, _) = m.login(&renewed, &now_code(&renewed, 19 * 60_000)).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "the new one works");

    // A disabled account's session ends at once.
    home.admin(&["staff", "disable", &admin.name]);
    let (r, _) = a.get("/devices").await;
    assert_eq!(
        (r.status(), location(&r)),
        (StatusCode::SEE_OTHER, "/login?ended=ended")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn web_pages_on_sqlite() {
    web_story(None).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn web_pages_on_postgres() {
    if let Some(url) = common::postgres_url() {
        web_story(Some(&url)).await;
    }
}
