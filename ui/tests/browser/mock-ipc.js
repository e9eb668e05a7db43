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
    entries: [],
  };
  const calls = [];
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
      closed_at: null,
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
    findCase(caseId);
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
        concerns: [],
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
    checkin_board: () => {
      need();
      return state.cases
        .filter((c) => c.status === 'open')
        .map((c) => {
          const p = state.pupils.find((x) => x.id === c.pupil_id);
          const today = state.entries.filter((e) => e.case_id === c.id && e.kind === 'morning-checkin' && e.event_at.slice(0, 10) === new Date().toISOString().slice(0, 10)).at(-1);
          return {
            case_id: c.id,
            pupil_id: p.id,
            pupil_name: p.name,
            grade: p.grade,
            protected_identity: p.protected_identity,
            today: today ? { entry_id: today.id, arrival: today.fields.arrival, time: today.fields.time ?? null, note: today.text } : null,
          };
        })
        .sort((a, b) => a.pupil_name.localeCompare(b.pupil_name, 'sv'));
    },
    record_checkins: ({ checkins }) => {
      need();
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
    pending_changes: () => (need(), { pending: null, last_synced_at: null }),
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
      return f(args);
    },
  };
  window.__TAURI_EVENT_PLUGIN_INTERNALS__ = { unregisterListener: () => undefined };
  window.__MOCK__ = {
    calls,
    state,
    emit,
    /** As the shell's idle timer does: lock, then tell the window. */
    lockFromShell(reason) {
      state.unlocked = false;
      emit('brygga://locked', reason);
    },
  };
})();
