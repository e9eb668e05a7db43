// A fake Tauri shell for UI tests in a plain browser: defines
// window.__TAURI_INTERNALS__ (what @tauri-apps/api calls) over an in-memory
// journal with the same shapes as the Rust view models. Every name, number
// and event here is fictional.
//
// window.__MOCK_CONFIG__ (set before this script) may say
//   { exists: true, passphrase: '…' }  to start at the unlock screen.
// window.__MOCK__ exposes the calls made and lets a test emit events.
(() => {
  const config = window.__MOCK_CONFIG__ ?? {};
  const state = {
    exists: !!config.exists,
    passphrase: config.passphrase ?? null,
    unlocked: false,
    author: config.author ?? 'Fiktiv Handläggare',
    settings: { idle_minutes: 5 },
    pupils: [],
    cases: [],
    guardians: [],
    consents: [],
    plans: [],
    concerns: [],
    entries: [],
    absence: {},
    exports: [],
    sync: config.sync ?? {
      enrolled: false,
      server_url: null,
      user: null,
      team: null,
      pending: 0,
      last_success_at: null,
      last_attempt_at: null,
      last_error: null,
      quarantined: [],
      conflicts: [],
    },
  };
  const calls = [];
  // Commands that fail once with a given error (window.__MOCK__.failNext).
  const failures = new Map();
  const callbacks = new Map();
  const listeners = new Map();
  let nextId = 1;

  const uuid = () => {
    const n = (nextId++).toString(16).padStart(12, '0');
    return `0190a000-0000-7000-8000-${n}`;
  };
  const nowIso = () => new Date().toISOString().replace(/\.\d{3}Z$/u, 'Z');
  const day = (offset) => {
    const d = new Date();
    d.setDate(d.getDate() + offset);
    return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
  };
  const err = (code, message) => ({ code, message });
  const need = () => {
    if (!state.unlocked) throw err('locked', 'the journal is locked; unlock it first');
  };
  const pupilView = (p) => ({
    id: p.id,
    name: p.name,
    personnummer: p.personnummer,
    school: p.protected_identity ? null : p.school,
    grade: p.grade,
    protected_identity: p.protected_identity,
    open_case_id: state.cases.find((c) => c.pupil_id === p.id && c.status === 'open')?.id ?? null,
  });
  const caseView = (c) => {
    const p = state.pupils.find((x) => x.id === c.pupil_id);
    const es = state.entries.filter((e) => e.case_id === c.id);
    return {
      id: c.id,
      pupil_id: p.id,
      pupil_name: p.name,
      personnummer: p.personnummer,
      status: c.status,
      opened_at: c.opened_at,
      closed_at: c.closed_at ?? null,
      drafts: es.filter((e) => e.status === 'draft').length,
      signed: es.filter((e) => e.status === 'signed').length,
      last_event_at: es.map((e) => e.event_at).sort().at(-1) ?? null,
    };
  };
  const findCase = (id) => {
    const c = state.cases.find((x) => x.id === id);
    if (!c) throw err('not_found', `case ${id} not found`);
    return c;
  };
  const required = (what, value) => {
    if (typeof value !== 'string' || !value.trim()) throw err('invalid', `invalid input: ${what} is empty`);
    return value.trim();
  };
  const isDay = (s) => typeof s === 'string' && /^\d{4}-\d{2}-\d{2}$/u.test(s);
  // Today's signed morning check-in of a case (local date, as the core).
  const localDay = (iso) => {
    const d = new Date(iso);
    return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
  };
  const signedCheckinToday = (caseId) =>
    state.entries
      .filter((e) => e.case_id === caseId && e.kind === 'morning-checkin' && e.status === 'signed' && localDay(e.event_at) === day(0))
      .sort((a, b) => a.event_at.localeCompare(b.event_at))
      .at(-1);
  const findEntry = (id) => {
    const e = state.entries.find((x) => x.id === id);
    if (!e) throw err('not_found', `entry ${id} not found`);
    return e;
  };

  function addPupil(p) {
    if (!p.name.trim() || !p.school.trim()) throw err('invalid', 'invalid input: name is empty');
    if (!/^\d{6,8}-?\d{4}$/u.test(p.personnummer.trim())) throw err('invalid', 'invalid input: personnummer: expected 10 or 12 digits');
    const digits = p.personnummer.replace(/\D/gu, '');
    const id = uuid();
    state.pupils.push({
      id,
      name: p.name.trim(),
      personnummer: `${digits.slice(-10, -4)}-${digits.slice(-4)}`,
      school: p.school.trim(),
      grade: p.grade,
      protected_identity: p.protected_identity,
    });
    return id;
  }
  function openCase(pupilId) {
    const id = uuid();
    state.cases.push({ id, pupil_id: pupilId, status: 'open', opened_at: nowIso() });
    return id;
  }
  function draft(caseId, input) {
    if (findCase(caseId).status !== 'open') throw err('not_allowed', `not allowed: case ${caseId} is closed; entries are written in open cases`);
    if (input.kind !== 'morning-checkin' && !input.text.trim()) throw err('invalid', 'invalid input: text is empty');
    const id = uuid();
    state.entries.push({
      id,
      case_id: caseId,
      kind: input.kind,
      status: 'draft',
      event_at: new Date(input.event_at).toISOString().replace(/\.\d{3}Z$/u, 'Z'),
      written_at: nowIso(),
      author: state.author,
      participants: input.participants,
      fields: input.fields,
      text: input.text.trim(),
      signed_at: null,
      signed_by: null,
      corrections: [],
    });
    return id;
  }
  function sign(id) {
    const e = findEntry(id);
    if (e.status === 'signed') throw err('not_allowed', `not allowed: entry ${id} is already signed`);
    e.status = 'signed';
    e.signed_at = nowIso();
    e.signed_by = state.author;
  }


  // Fictional weekly absence: 12 weeks per pupil, the first pupil high
  // and falling after the plan started.
  const monday = (weeksAgo) => {
    const d = new Date();
    d.setDate(d.getDate() - ((d.getDay() + 6) % 7) - 7 * weeksAgo);
    return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
  };
  const isoWeek = (day) => {
    const [y, m, dd] = day.split('-').map(Number);
    const d = new Date(Date.UTC(y, m - 1, dd));
    d.setUTCDate(d.getUTCDate() + 4 - (d.getUTCDay() || 7));
    const w = Math.ceil(((d - Date.UTC(d.getUTCFullYear(), 0, 1)) / 86400000 + 1) / 7);
    return `${d.getUTCFullYear()}-W${String(w).padStart(2, '0')}`;
  };
  const r1 = (x) => Math.round(x * 10) / 10;
  function demoAbsence(index) {
    const weeks = [];
    for (let k = 11; k >= 0; k--) {
      const scheduled = 1680;
      const total = index === 0 ? (k > 5 ? 0.32 - (11 - k) * 0.01 : 0.22 - (5 - k) * 0.015) : 0.03 + ((index * 7 + k) % 5) * 0.02;
      const invalid = Math.round(scheduled * total * 0.6);
      const valid = Math.round(scheduled * total) - invalid;
      weeks.push({ week_start: monday(k), scheduled_min: scheduled, valid_min: valid, invalid_min: invalid });
    }
    return weeks;
  }
  function figures(pupilId) {
    const stored = state.absence[pupilId] ?? [];
    const weeks = stored.map((w, i) => {
      const last4 = stored.slice(Math.max(0, i - 3), i + 1);
      const s = last4.reduce((a, x) => a + x.scheduled_min, 0);
      const ab = last4.reduce((a, x) => a + x.valid_min + x.invalid_min, 0);
      return {
        week_start: w.week_start,
        week: isoWeek(w.week_start),
        scheduled_min: w.scheduled_min,
        valid_min: w.valid_min,
        invalid_min: w.invalid_min,
        valid_pct: r1((100 * w.valid_min) / w.scheduled_min),
        invalid_pct: r1((100 * w.invalid_min) / w.scheduled_min),
        total_pct: r1((100 * (w.valid_min + w.invalid_min)) / w.scheduled_min),
        rolling4_total_pct: r1((100 * ab) / s),
        source: 'demo',
      };
    });
    const warn = (p) => {
      const level = p == null ? 0 : [10, 15, 20].filter((x) => p >= x).length;
      return { level, threshold_pct: level ? [10, 15, 20][level - 1] : null };
    };
    const win = (kind, label, ws) => {
      const s = ws.reduce((a, x) => a + x.scheduled_min, 0);
      const v = ws.reduce((a, x) => a + x.valid_min, 0);
      const inv = ws.reduce((a, x) => a + x.invalid_min, 0);
      const total = s ? r1((100 * (v + inv)) / s) : null;
      return { kind, label, first_week: ws[0]?.week_start ?? '', last_week: ws.at(-1)?.week_start ?? '', weeks_with_data: ws.length, scheduled_min: s, valid_min: v, invalid_min: inv, valid_pct: s ? r1((100 * v) / s) : null, invalid_pct: s ? r1((100 * inv) / s) : null, total_pct: total, warning: warn(total) };
    };
    const windows = weeks.length ? [win('last4_weeks', '4 veckor', weeks.slice(-4)), win('last8_weeks', '8 veckor', weeks.slice(-8)), win('term', 'HT', weeks)] : [];
    return { pupil_id: pupilId, thresholds: [10, 15, 20], latest_week: weeks.at(-1)?.week_start ?? null, weeks, windows, warning: windows[0]?.warning ?? { level: 0, threshold_pct: null } };
  }
  function overview() {
    return Object.keys(state.absence).map((pid) => {
      const f = figures(pid);
      const w = f.weeks;
      const prev = w.slice(-8, -4);
      const s = prev.reduce((a, x) => a + x.scheduled_min, 0);
      const p4 = s ? r1((100 * prev.reduce((a, x) => a + x.valid_min + x.invalid_min, 0)) / s) : null;
      const l4 = f.windows[0]?.total_pct ?? null;
      return { pupil_id: pid, latest_week: f.latest_week, last4_total_pct: l4, last4_valid_pct: f.windows[0]?.valid_pct ?? null, last4_invalid_pct: f.windows[0]?.invalid_pct ?? null, previous4_total_pct: p4, trend_pct_points: l4 != null && p4 != null ? r1(l4 - p4) : null, warning: f.warning };
    });
  }
  function chart(pupilId) {
    const c = state.cases.find((x) => x.pupil_id === pupilId);
    const interventions = [];
    const add = (date, kind, entryKind, id, signed) => {
      const d = new Date(`${date}T12:00:00`);
      d.setDate(d.getDate() - ((d.getDay() + 6) % 7));
      const ws = `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
      interventions.push({ date, week_start: ws, week: isoWeek(ws), kind, entry_kind: entryKind, id, signed });
    };
    if (c) {
      // Opened two weeks before the first imported week: on the axis, without figures.
      add(monday(13), 'case_opened', null, c.id, true);
      for (const e of state.entries.filter((x) => x.case_id === c.id)) add(e.event_at.slice(0, 10), 'entry', e.kind, e.id, e.status === 'signed');
      for (const p of state.plans.filter((x) => x.case_id === c.id)) {
        add(monday(6), 'plan_start', null, p.id, true);
        add(p.follow_up_on, 'follow_up', null, p.id, true);
      }
    }
    interventions.sort((a, b) => a.date.localeCompare(b.date));
    const f = figures(pupilId);
    // As the core: every week from the first to the last with figures or an intervention.
    const byWeek = new Map(f.weeks.map((w) => [w.week_start, w]));
    const mondays = [...byWeek.keys(), ...interventions.map((m) => m.week_start)].sort();
    const axis = [];
    if (mondays.length) {
      const d = new Date(`${mondays[0]}T12:00:00Z`);
      for (let ws = mondays[0]; ws <= mondays.at(-1); d.setUTCDate(d.getUTCDate() + 7), ws = d.toISOString().slice(0, 10)) {
        axis.push({ week_start: ws, week: isoWeek(ws), figures: byWeek.get(ws) ?? null });
      }
    }
    return { figures: f, interventions, axis };
  }
  function importAbsence({ file_name, bytes, dry_run, skip_unknown, mapping }) {
    const text = new TextDecoder().decode(new Uint8Array(bytes)).replace(/^\uFEFF/u, '');
    const lines = text.split(/\r?\n/u);
    const header = lines[0].split(';').map((h) => h.trim());
    const find = (role, words) => {
      const mapped = mapping.columns?.[role];
      if (mapped) return header.findIndex((h) => h.toLowerCase() === mapped.toLowerCase());
      return header.findIndex((h) => words.some((w) => h.toLowerCase().includes(w)));
    };
    const idx = {
      personnummer: find('personnummer', ['personnummer', 'pnr']),
      week: find('week', ['vecka']),
      scheduled: find('scheduled', ['schemalagd']),
      invalid: find('invalid', ['ogiltig']),
      valid: find('valid', ['giltig']),
    };
    if (idx.valid === idx.invalid) idx.valid = header.findIndex((h, i) => h.toLowerCase().includes('giltig') && i !== idx.invalid);
    const columns = Object.entries(idx).filter(([, i]) => i >= 0).map(([role, i]) => ({ role, header: header[i], unit: ['scheduled', 'valid', 'invalid'].includes(role) ? 'minutes' : null, unit_in_header: true }));
    const problems = [];
    for (const [role, i] of Object.entries(idx)) if (i < 0) problems.push({ line: 1, message: `no column for ${role} (map one)` });
    const weeks = [];
    const skipped = [];
    if (problems.length === 0) {
      lines.slice(1).forEach((l, n) => {
        if (!l.trim()) return;
        const cells = l.split(';');
        const line = n + 2;
        const pnr = cells[idx.personnummer].trim();
        const pupil = state.pupils.find((p) => p.personnummer.replace('-', '') === pnr.replace('-', '').slice(-10));
        const num = (c) => Number(cells[c].trim().replace(',', '.'));
        if ([idx.scheduled, idx.valid, idx.invalid].some((c) => Number.isNaN(num(c)))) {
          problems.push({ line, message: `not a number: '${cells[idx.valid]}'` });
          return;
        }
        if (!pupil) {
          if (skip_unknown) skipped.push({ line, personnummer: pnr });
          else problems.push({ line, message: `no pupil with personnummer ${pnr} on this device` });
          return;
        }
        weeks.push({ line, pupil_id: pupil.id, pupil_name: pupil.name, week_start: monday(0), week: cells[idx.week], figures: { scheduled_min: num(idx.scheduled), valid_min: num(idx.valid), invalid_min: num(idx.invalid) }, previous: null, status: 'new' });
      });
    }
    const written = !dry_run && problems.length === 0;
    return { source: file_name, dry_run, written, encoding: 'UTF-8', separator: ';', columns, weeks, created: weeks.length, updated: 0, unchanged: 0, skipped, notes: [], problems };
  }

  function loadDemo() {
    const names = [
      'Alva Lindqvist', 'Noah Berglund', 'Elsa Holmgren', 'Liam Sundberg', 'Maja Ekström',
      'Hugo Nyberg', 'Wilma Forsberg', 'Elias Sjöberg', 'Ella Wikström', 'Oscar Lundin',
      'Saga Bergqvist', 'William Hedlund', 'Alma Åberg', 'Lucas Mattsson', 'Freja Blom',
      'Adam Engström', 'Stella Dahlberg', 'Melvin Nordin', 'Ebba Falk', 'Leo Strand',
    ];
    names.forEach((name, i) => {
      const pid = addPupil({
        name,
        personnummer: `1${1 + (i % 3)}0${1 + (i % 9)}${String(10 + i)}-${9970 + i}`,
        school: 'Exempelskolan (fiktiv)',
        grade: 7 + (i % 3),
        protected_identity: i === 2,
      });
      const cid = openCase(pid);
      if (i < 8) state.absence[pid] = demoAbsence(i);
      if (i === 0) {
        const g = uuid();
        state.guardians.push({ id: g, case_id: cid, name: 'Karin Lindqvist (fiktiv)', relation: 'mamma', phone: '070-000 00 01', email: null, address: 'Påhittade gatan 1, Exempelstad', conflicts: [] });
        state.consents.push({ id: uuid(), case_id: cid, guardian_id: g, given_by: 'Karin Lindqvist (fiktiv)', scope: 'närvaro', recipient: 'Exempelskolan, mentor', purpose: 'planera skolgången', form: 'written', given_on: day(-60), valid_until: day(12), withdrawn_on: null, active: true });
        state.plans.push({ id: uuid(), case_id: cid, needs: 'Fiktivt: svårt att komma till skolan på morgnarna.', goals: ['Närvaro minst 80 %'], lead_party: 'Socialtjänsten', follow_up_on: day(-3), created_at: nowIso(), author: state.author, actions: [{ id: uuid(), who: 'Familjebehandlare', what: 'Möter vid entrén', due_on: day(7), status: 'planned', conflicts: [] }] });
        const e = draft(cid, { kind: 'home-visit', event_at: new Date(Date.now() - 9 * 86400000).toISOString(), participants: ['Alva', 'Karin (mamma)'], fields: { place: 'hemmet', purpose: 'motivationssamtal' }, text: 'Fiktivt hembesök. Morgnarna är svårast. Vi ses vid entrén på tisdag.' });
        sign(e);
        findEntry(e).corrections.push({ id: uuid(), text: 'Vi ses vid entrén på onsdag, inte tisdag.', reason: 'Fel veckodag.', written_at: nowIso(), author: state.author });
        draft(cid, { kind: 'consultation', event_at: new Date(Date.now() - 86400000).toISOString(), participants: [], fields: { staff_role: 'nurse' }, text: 'Fiktiv konsultation, utkast.' });
      }
      if (i === 2) {
        state.guardians.push({ id: uuid(), case_id: cid, name: 'Vårdnadshavare (fiktiv)', relation: 'mamma', phone: null, email: null, address: null, conflicts: [] });
      }
    });
    return { pupils: names.length, cases: names.length, entries: 3 };
  }

  function caseload() {
    const today = day(0);
    const rank = { follow_up_overdue: 0, drafts_waiting: 1, consent_ending: 2, follow_up_soon: 3, no_active_consent: 4 };
    return state.cases
      .filter((c) => c.status === 'open')
      .map((c) => {
        const v = caseView(c);
        const p = state.pupils.find((x) => x.id === c.pupil_id);
        const attention = [];
        for (const plan of state.plans.filter((x) => x.case_id === c.id)) {
          if (plan.follow_up_on < today) attention.push({ reason: 'follow_up_overdue', on: plan.follow_up_on, days_ago: 3 });
        }
        if (v.drafts > 0) attention.push({ reason: 'drafts_waiting', count: v.drafts });
        const active = state.consents.filter((x) => x.case_id === c.id && x.active);
        for (const k of active) if (k.valid_until) attention.push({ reason: 'consent_ending', on: k.valid_until, days_left: 12 });
        if (active.length === 0) attention.push({ reason: 'no_active_consent' });
        attention.sort((a, b) => rank[a.reason] - rank[b.reason]);
        return {
          case_id: c.id,
          pupil_id: p.id,
          pupil_name: p.name,
          personnummer: p.personnummer,
          school: p.protected_identity ? null : p.school,
          grade: p.grade,
          protected_identity: p.protected_identity,
          drafts: v.drafts,
          signed: v.signed,
          last_event_at: v.last_event_at,
          next_follow_up: state.plans.find((x) => x.case_id === c.id)?.follow_up_on ?? null,
          attention,
        };
      })
      .sort((a, b) => (rank[a.attention[0]?.reason] ?? 9) - (rank[b.attention[0]?.reason] ?? 9) || a.pupil_name.localeCompare(b.pupil_name, 'sv'));
  }

  const commands = {
    ui_ready: () => null,
    journal_exists: () => state.exists,
    session_state: () => ({
      journal_exists: state.exists,
      unlocked: state.unlocked,
      author: state.unlocked ? state.author : null,
      settings: state.settings,
    }),
    create_journal: ({ passphrase, author }) => {
      if (state.exists) throw err('journal_exists', 'a journal already exists');
      if ([...passphrase].length < 10) throw err('invalid', 'invalid input: the passphrase must have at least 10 characters');
      if (!author.trim()) throw err('invalid', 'invalid input: the author name is empty');
      Object.assign(state, { exists: true, passphrase, author: author.trim(), unlocked: true });
      return null;
    },
    unlock: ({ passphrase }) => {
      if (!state.exists) throw err('journal_missing', 'no journal');
      if (passphrase !== state.passphrase) throw err('wrong_passphrase', 'wrong passphrase');
      state.unlocked = true;
      return null;
    },
    lock: () => {
      state.unlocked = false;
      emit('brygga://locked', 'user');
      return null;
    },
    activity: () => null,
    get_settings: () => state.settings,
    set_idle_minutes: ({ minutes }) => {
      state.settings = { idle_minutes: minutes };
      return state.settings;
    },
    caseload: () => (need(), caseload()),
    case_detail: ({ caseId }) => {
      need();
      const c = findCase(caseId);
      const p = state.pupils.find((x) => x.id === c.pupil_id);
      return {
        case: caseView(c),
        pupil: pupilView(p),
        guardians: state.guardians
          .filter((g) => g.case_id === c.id)
          .map((g) => ({ ...g, address: p.protected_identity ? null : g.address })),
        consents: state.consents.filter((k) => k.case_id === c.id),
        plans: state.plans.filter((x) => x.case_id === c.id),
        concerns: state.concerns.filter((x) => x.case_id === c.id),
      };
    },
    list_entries: ({ caseId }) => {
      need();
      findCase(caseId);
      return state.entries
        .filter((e) => e.case_id === caseId)
        .sort((a, b) => a.event_at.localeCompare(b.event_at))
        .map((e) => structuredClone(e));
    },
    draft_entry: ({ caseId, entry }) => (need(), draft(caseId, entry)),
    edit_draft: ({ entryId, entry }) => {
      need();
      const e = findEntry(entryId);
      if (e.status === 'signed') throw err('not_allowed', 'signed');
      Object.assign(e, { kind: entry.kind, participants: entry.participants, fields: entry.fields, text: entry.text });
      return null;
    },
    sign_entry: ({ entryId }) => (need(), sign(entryId), null),
    correct_entry: ({ entryId, text, reason }) => {
      need();
      const e = findEntry(entryId);
      if (e.status !== 'signed') throw err('not_allowed', 'only signed entries are corrected');
      const id = uuid();
      e.corrections.push({ id, text, reason, written_at: nowIso(), author: state.author });
      return id;
    },
    add_pupil: ({ pupil }) => (need(), addPupil(pupil)),
    open_case: ({ pupilId }) => (need(), openCase(pupilId)),
    add_guardian: ({ guardian }) => {
      need();
      const id = uuid();
      state.guardians.push({ id, case_id: guardian.case_id, name: guardian.name, relation: guardian.relation, phone: guardian.phone, email: null, address: null, conflicts: [] });
      return id;
    },
    record_consent: ({ consent }) => {
      need();
      findCase(consent.case_id);
      const g = consent.guardian_id ? state.guardians.find((x) => x.id === consent.guardian_id && x.case_id === consent.case_id) : null;
      if (consent.guardian_id && !g) throw err('not_found', `guardian in this case ${consent.guardian_id} not found`);
      if (!isDay(consent.given_on)) throw err('invalid', `'${consent.given_on}' is not a date (YYYY-MM-DD)`);
      if (consent.given_on > day(0)) throw err('invalid', 'invalid input: a consent cannot be given in the future');
      if (consent.valid_until && consent.valid_until < consent.given_on) throw err('invalid', 'invalid input: the consent ends before it was given');
      const id = uuid();
      state.consents.push({
        id,
        case_id: consent.case_id,
        guardian_id: consent.guardian_id,
        given_by: g?.name ?? null,
        scope: required('scope', consent.scope),
        recipient: required('recipient', consent.recipient),
        purpose: required('purpose', consent.purpose),
        form: consent.form,
        given_on: consent.given_on,
        valid_until: consent.valid_until,
        withdrawn_on: null,
        active: !consent.valid_until || consent.valid_until >= day(0),
      });
      return id;
    },
    withdraw_consent: ({ consentId, on }) => {
      need();
      const k = state.consents.find((x) => x.id === consentId);
      if (!k) throw err('not_found', `consent ${consentId} not found`);
      if (k.withdrawn_on) throw err('not_allowed', `not allowed: consent ${consentId} was already withdrawn on ${k.withdrawn_on}`);
      if (!isDay(on) || on > day(0) || on < k.given_on) throw err('invalid', `invalid input: cannot withdraw on ${on}`);
      Object.assign(k, { withdrawn_on: on, active: false });
      return null;
    },
    create_plan: ({ plan }) => {
      need();
      findCase(plan.case_id);
      const goals = plan.goals.map((g) => required('goal', g));
      if (goals.length === 0) throw err('invalid', 'invalid input: a plan needs at least one goal');
      if (!isDay(plan.follow_up_on)) throw err('invalid', `'${plan.follow_up_on}' is not a date (YYYY-MM-DD)`);
      const id = uuid();
      state.plans.push({
        id,
        case_id: plan.case_id,
        needs: required('needs', plan.needs),
        goals,
        lead_party: required('lead party', plan.lead_party),
        follow_up_on: plan.follow_up_on,
        created_at: nowIso(),
        author: state.author,
        actions: plan.actions.map((a) => ({ id: uuid(), who: required('who', a.who), what: required('what', a.what), due_on: a.due_on, status: 'planned', conflicts: [] })),
      });
      return id;
    },
    set_action_status: ({ actionId, status }) => {
      need();
      const a = state.plans.flatMap((p) => p.actions).find((x) => x.id === actionId);
      if (!a) throw err('not_found', `plan action ${actionId} not found`);
      a.status = status;
      return null;
    },
    report_concern: ({ concern }) => {
      need();
      findCase(concern.case_id);
      const id = uuid();
      state.concerns.push({
        id,
        case_id: concern.case_id,
        reported_at: new Date(concern.reported_at).toISOString().replace(/\.\d{3}Z$/u, 'Z'),
        to_whom: required('to whom', concern.to_whom),
        by_whom: required('by whom', concern.by_whom),
        summary: required('summary', concern.summary),
        recorded_by: state.author,
      });
      return id;
    },
    close_case: ({ caseId }) => {
      need();
      const c = findCase(caseId);
      if (c.status !== 'open') throw err('not_allowed', `not allowed: case ${caseId} is already closed`);
      const drafts = state.entries.filter((e) => e.case_id === caseId && e.status === 'draft').length;
      if (drafts > 0) throw err('not_allowed', `not allowed: case ${caseId} has ${drafts} unsigned draft(s); sign them before closing`);
      Object.assign(c, { status: 'closed', closed_at: nowIso() });
      return null;
    },
    checkin_board: () => {
      need();
      return state.cases
        .filter((c) => c.status === 'open')
        .map((c) => {
          const p = state.pupils.find((x) => x.id === c.pupil_id);
          const today = signedCheckinToday(c.id);
          return {
            case_id: c.id,
            pupil_id: p.id,
            pupil_name: p.name,
            grade: p.grade,
            protected_identity: p.protected_identity,
            today: today
              ? { entry_id: today.id, arrival: today.fields.arrival, time: today.fields.time ?? null, note: today.text, correction: today.corrections.at(-1)?.text ?? null }
              : null,
          };
        })
        .sort((a, b) => a.pupil_name.localeCompare(b.pupil_name, 'sv'));
    },
    record_checkins: ({ checkins }) => {
      need();
      // Like the core: everything is checked before anything is written.
      for (const c of checkins) {
        if (findCase(c.case_id).status !== 'open') throw err('not_allowed', `not allowed: case ${c.case_id} is closed`);
        const already = signedCheckinToday(c.case_id);
        if (already) {
          throw err('not_allowed', `not allowed: case ${c.case_id} already has a signed morning check-in on ${day(0)} (entry ${already.id}); correct that entry instead of writing a second one`);
        }
      }
      return checkins.map((c) => {
        const fields = { arrival: c.arrival };
        if (c.time) fields.time = c.time;
        const id = draft(c.case_id, { kind: 'morning-checkin', event_at: new Date().toISOString(), participants: [], fields, text: c.note });
        sign(id);
        return id;
      });
    },
    search: ({ query }) => {
      need();
      const words = query.toLowerCase().split(/[^\p{L}\p{N}]+/u).filter(Boolean);
      if (words.length === 0) throw err('invalid', 'invalid input: the search has no words in it');
      const hits = [];
      for (const e of state.entries) {
        const texts = [[e.text, false], ...e.corrections.map((c) => [c.text, true])];
        for (const [text, inCorrection] of texts) {
          const lower = text.toLowerCase();
          if (words.every((w) => lower.split(/[^\p{L}\p{N}]+/u).some((t) => t.startsWith(w)))) {
            const c = findCase(e.case_id);
            const p = state.pupils.find((x) => x.id === c.pupil_id);
            let snippet = text;
            for (const w of words) snippet = snippet.replace(new RegExp(`(${w}\\p{L}*)`, 'iu'), '[$1]');
            hits.push({ entry_id: e.id, case_id: e.case_id, pupil_name: p.name, kind: e.kind, status: e.status, event_at: e.event_at, snippet, in_correction: inCorrection });
          }
        }
      }
      return hits;
    },
    load_demo: () => (need(), loadDemo()),
    absence_overview: () => (need(), overview()),
    absence_chart: ({ pupilId }) => (need(), chart(pupilId)),
    import_absence: ({ input }) => (need(), importAbsence(input)),
    export_file: ({ request, folder }) => {
      need();
      if (folder && !folder.startsWith('/')) throw err('invalid', `invalid input: '${folder}' is not an existing folder`);
      const name = { journal_pdf: 'brygga-journal', esf_csv: 'brygga-esf-deltagare', outcomes_csv: 'brygga-uppfoljning', outcomes_pdf: 'brygga-uppfoljning' }[request.kind];
      const ext = request.kind.endsWith('pdf') ? 'pdf' : 'csv';
      const n = state.exports.filter((e) => e.name === name && e.ext === ext).length;
      state.exports.push({ name, ext, request });
      const path = `${folder || '/home/fiktiv/Hämtningar'}/${name}-${day(0)}${n ? `-${n + 1}` : ''}.${ext}`;
      return { path, bytes: 2048 };
    },
    sync_status: () => (need(), structuredClone(state.sync)),
    sync_now: () => {
      need();
      if (!state.sync.enrolled) throw err('not_enrolled', 'this device is not enrolled');
      const pushed = state.sync.pending;
      Object.assign(state.sync, { pending: 0, last_success_at: nowIso(), last_attempt_at: nowIso(), last_error: null });
      emit('brygga://sync', structuredClone(state.sync));
      return { pushed, rejected: 0, pulled: { applied: 2, skipped: 0, quarantined: 0 }, wiped: false };
    },
    enroll: ({ serverUrl, code }) => {
      need();
      if (!serverUrl.startsWith('https://')) throw err('invalid', 'invalid input: the server address must start with https://');
      if (!code.trim()) throw err('invalid', 'invalid input: the code is empty');
      Object.assign(state.sync, { enrolled: true, server_url: serverUrl, user: 'fiktiv.handlaggare', team: 'Fiktivt team' });
      return { server_url: serverUrl, user: 'fiktiv.handlaggare', team: 'Fiktivt team', device_id: uuid() };
    },
    'plugin:event|listen': ({ event, handler }) => {
      const id = nextId++;
      if (!listeners.has(event)) listeners.set(event, []);
      listeners.get(event).push({ id, handler });
      return id;
    },
    'plugin:event|unlisten': ({ event, eventId }) => {
      listeners.set(event, (listeners.get(event) ?? []).filter((l) => l.id !== eventId));
      return null;
    },
  };

  function emit(event, payload) {
    for (const l of listeners.get(event) ?? []) {
      callbacks.get(l.handler)?.({ event, id: l.id, payload });
    }
  }

  window.__TAURI_INTERNALS__ = {
    metadata: { currentWindow: { label: 'main' }, currentWebview: { windowLabel: 'main', label: 'main' } },
    transformCallback(callback, once) {
      const id = nextId++;
      callbacks.set(id, (data) => {
        if (once) callbacks.delete(id);
        return callback?.(data);
      });
      return id;
    },
    unregisterCallback(id) {
      callbacks.delete(id);
    },
    convertFileSrc: (path) => path,
    async invoke(cmd, args = {}) {
      calls.push({ cmd, args: structuredClone(args) });
      const f = commands[cmd];
      if (!f) throw err('internal', `mock: no command ${cmd}`);
      // A little latency, like a real IPC round trip.
      await new Promise((r) => setTimeout(r, 5));
      const failure = failures.get(cmd);
      if (failure) {
        failures.delete(cmd);
        throw failure;
      }
      return f(args);
    },
  };
  window.__TAURI_EVENT_PLUGIN_INTERNALS__ = { unregisterListener: () => undefined };
  window.__MOCK__ = {
    calls,
    state,
    emit,
    /** The next call of `cmd` fails with {code, message}, as the shell's errors do. */
    failNext(cmd, code, message) {
      failures.set(cmd, err(code, message));
    },
    /** As the shell's idle timer does: lock, then tell the window. */
    lockFromShell(reason) {
      state.unlocked = false;
      emit('brygga://locked', reason);
    },
  };
})();
