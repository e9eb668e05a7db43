use super::*;

fn at_of(template: &Template) -> String {
    template.validate().expect_err("refused").at
}

#[test]
fn back2school_is_valid_with_its_sessions_meetings_and_modules() {
    let t = back2school();
    t.validate().expect("the built-in template is valid");
    let numbers: Vec<u32> = t.sessions.iter().map(|s| s.number).collect();
    assert_eq!(numbers, (0..=11).collect::<Vec<_>>());
    assert_eq!(t.sessions[0].kind, SessionKind::Assessment);
    let kinds = |k: SessionKind| t.sessions.iter().filter(|s| s.kind == k).count();
    assert_eq!(kinds(SessionKind::SchoolMeeting), 2);
    assert_eq!(kinds(SessionKind::Parent), 2);
    assert_eq!(kinds(SessionKind::Booster), 1);
    let modular: Vec<u32> = t
        .sessions
        .iter()
        .filter(|s| s.module)
        .map(|s| s.number)
        .collect();
    assert!(modular.iter().all(|&n| n >= 7), "{modular:?}");
    assert!(!modular.is_empty() && !t.modules.is_empty());
    assert!(t.exposure_steps.len() >= 5);
}

#[test]
fn session_kinds_are_named_as_in_the_file_format() {
    for k in SessionKind::ALL {
        assert_eq!(serde_json::to_value(k).expect("json"), k.as_str());
    }
}

#[test]
fn a_template_file_reads_as_the_same_template() {
    let t = back2school();
    let text = serde_json::to_string_pretty(&t).expect("json");
    assert_eq!(Template::from_file_text(&text).expect("reads"), t);
}

#[test]
fn the_documented_example_is_a_valid_template() {
    let doc = include_str!("../../../../docs/programmes.md");
    let start = doc.find("```json\n").expect("an example") + "```json\n".len();
    let end = start + doc[start..].find("```").expect("its end");
    let t = Template::from_file_text(&doc[start..end]).expect("the example reads");
    assert_eq!(t.key, "skolnarvaro-kort");
}

#[test]
fn optional_parts_may_be_left_out_of_a_file() {
    let text = r#"{"key": "egen-modell", "version": 1, "name": "Kommunens modell",
        "sessions": [{"number": 1, "kind": "joint", "title": "Första träffen"}]}"#;
    let t = Template::from_file_text(text).expect("reads");
    assert!(t.modules.is_empty() && t.exposure_steps.is_empty() && !t.sessions[0].module);
}

#[test]
fn a_misspelt_field_in_a_file_is_refused() {
    let mut v = serde_json::to_value(back2school()).expect("json");
    v["sessions"][3]["titel"] = "Fel".into();
    let e = Template::from_file_text(&v.to_string()).expect_err("unknown field");
    assert_eq!(e.at, "sessions[3].titel");
    v = serde_json::to_value(back2school()).expect("json");
    v["return_date"] = "2027-01-01".into();
    let e = Template::from_file_text(&v.to_string()).expect_err("unknown field");
    assert_eq!(e.at, "return_date");
    let e = Template::from_file_text("{").expect_err("not json");
    assert_eq!(e.at, "file");
}

#[test]
fn every_rule_of_a_template_is_kept() {
    let base = back2school;
    let mut t = base();
    t.key = "Back2School".into();
    assert_eq!(at_of(&t), "key");
    t = base();
    t.key = "x".repeat(MAX_KEY_CHARS + 1);
    assert_eq!(at_of(&t), "key");
    t = base();
    t.version = 0;
    assert_eq!(at_of(&t), "version");
    t = base();
    t.name = "  ".into();
    assert_eq!(at_of(&t), "name");
    t = base();
    t.sessions.clear();
    assert_eq!(at_of(&t), "sessions");
    t = base();
    t.sessions.remove(4);
    assert_eq!(at_of(&t), "sessions[4].number", "a gap");
    t = base();
    t.sessions.swap(1, 2);
    assert_eq!(at_of(&t), "sessions[1].number", "out of order");
    t = base();
    t.sessions[0].kind = SessionKind::Joint;
    assert_eq!(at_of(&t), "sessions[0].kind");
    t = base();
    t.sessions[5].kind = SessionKind::Assessment;
    assert_eq!(at_of(&t), "sessions[5].kind");
    t = base();
    t.sessions.remove(0);
    t.validate().expect("a programme may start at session 1");
    t.sessions[0].number = 2;
    assert_eq!(at_of(&t), "sessions[0].number");
    t = base();
    t.sessions[2].title = "x".repeat(MAX_TEXT_CHARS + 1);
    assert_eq!(at_of(&t), "sessions[2].title");
    t = base();
    t.modules.clear();
    assert_eq!(at_of(&t), "sessions[7].module");
    t = base();
    t.modules[1].key = t.modules[0].key.clone();
    assert_eq!(at_of(&t), "modules[1].key");
    t = base();
    t.modules[2].title = String::new();
    assert_eq!(at_of(&t), "modules[2].title");
    t = base();
    t.exposure_steps[1] = " ".into();
    assert_eq!(at_of(&t), "exposure_steps[1]");
    t = base();
    t.exposure_steps = vec!["Steg".into(); MAX_ITEMS + 1];
    assert_eq!(at_of(&t), "exposure_steps");
}

fn own(key: &str, version: u32) -> Template {
    let text = format!(
        r#"{{"key": "{key}", "version": {version}, "name": "Kommunens modell",
        "sessions": [{{"number": 1, "kind": "joint", "title": "Första träffen"}}]}}"#
    );
    Template::from_file_text(&text).expect("a valid template")
}

#[test]
fn the_built_in_templates_are_in_force_until_the_municipality_says() {
    let built_in: Vec<_> = in_force([]).into_iter().map(|(t, m)| (t.key, m)).collect();
    assert_eq!(built_in, [("back2school".to_owned(), false)]);
}

#[test]
fn the_municipalitys_template_replaces_a_built_in_one_and_the_newest_of_a_key_wins() {
    let mut theirs = back2school();
    theirs.version = 2;
    theirs.sessions.truncate(4);
    let in_force = in_force([
        own("egen-modell", 1),
        theirs.clone(),
        own("kort-insats", 1),
        own("egen-modell", 2),
    ]);
    let keys: Vec<_> = in_force
        .iter()
        .map(|(t, m)| (t.key.as_str(), t.version, *m))
        .collect();
    assert_eq!(
        keys,
        [
            ("back2school", 2, true),
            ("egen-modell", 2, true),
            ("kort-insats", 1, true),
        ],
        "the built-in one replaced in its place, then new keys as they came"
    );
    assert_eq!(in_force[0].0, theirs);
}

#[test]
fn a_template_key_is_checked_for_its_form_alone() {
    check_template_key("kort-insats-2").expect("well formed");
    for bad in ["", "Back2School", "2-steg", "-x", "kort insats"] {
        let e = check_template_key(bad).expect_err("not a key");
        assert_eq!(e.at, "key", "{bad}");
        assert!(e.problem.contains("not a key"), "{bad}: {e}");
    }
}
