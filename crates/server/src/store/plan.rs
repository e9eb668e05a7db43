//! The backend-independent decisions of the store, so that the backends
//! only move rows and both decide alike.
//!
//! A push: duplicate, rejected or accepted, and for an accepted operation
//! its team, case and the objects it creates in the index object → case →
//! team. A backend (inside its write transaction) fetches the rows named by
//! [`keys`], calls [`plan`], inserts [`Plan::inserts`] in order (which
//! assigns their `server_seq`s) and [`Plan::objects`], then calls
//! [`Plan::finish`] for the per-operation outcomes and the audit rows.
//!
//! Around it: which requests are admitted ([`admit`]), whether an
//! enrolment code may be used ([`usable_code`]), the page of a pull
//! ([`page_rows`], [`page`]) and what a revocation records
//! ([`revocation`]).
//!
//! A device's audit chain as it grows on the server: [`audit`]. Case
//! retention: [`retention`]; an operation of a purged case is refused
//! here ([`purged`]). The municipality's settings: [`settings`].

pub mod audit;
pub mod retention;
pub mod review;
pub mod settings;

use super::{
    Admission, AuditRecord, CodeProblem, NonceRecord, ObjectRow, PreparedOp, PullPage, PushBatch,
    RequestWrite, StoreError, StoredOutcome,
};
use brygga_protocol::auth::{ObjectKind, ObjectRef, Scope, Target};
use std::collections::{HashMap, HashSet};
use uuid::Uuid;

/// An operation already stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredOp {
    pub op_id: Uuid,
    pub server_seq: i64,
    pub body: String,
}

/// The ids a plan needs to look up before deciding.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Keys {
    pub device_seqs: Vec<(Uuid, i64)>,
    pub op_ids: Vec<Uuid>,
    pub object_ids: Vec<Uuid>,
}

/// The stored rows for [`Keys`].
#[derive(Debug, Default, Clone)]
pub struct Lookups {
    pub by_device_seq: HashMap<(Uuid, i64), StoredOp>,
    /// op_id → (device_id, seq)
    pub by_op_id: HashMap<Uuid, (Uuid, i64)>,
    pub objects: HashMap<Uuid, ObjectRow>,
    /// Which of the looked-up object ids are purged cases.
    pub purged: HashSet<Uuid>,
}

/// Every id the pushes name, deduplicated.
pub fn keys(pushes: &[PushBatch]) -> Keys {
    keys_of(pushes)
}

/// [`keys`] of any sequence of pushes.
pub fn keys_of<'p>(pushes: impl IntoIterator<Item = &'p PushBatch>) -> Keys {
    let mut device_seqs = HashSet::new();
    let mut op_ids = HashSet::new();
    let mut object_ids = HashSet::new();
    for op in pushes.into_iter().flat_map(|p| &p.ops) {
        device_seqs.insert((op.device_id, op.seq));
        op_ids.insert(op.op_id);
        object_ids.extend(op.scope.creates.iter().map(|o| o.id));
        object_ids.extend(op.scope.related.iter().map(|o| o.id));
        match op.scope.target {
            Target::NewPupil | Target::Team => {}
            Target::Pupil(id) | Target::Case(id) => {
                object_ids.insert(id);
            }
            Target::Object(o) => {
                object_ids.insert(o.id);
            }
        }
    }
    Keys {
        device_seqs: device_seqs.into_iter().collect(),
        op_ids: op_ids.into_iter().collect(),
        object_ids: object_ids.into_iter().collect(),
    }
}

/// The case ids an operation names: the case it targets, opens or
/// relates to.
fn named_cases(scope: &Scope) -> impl Iterator<Item = Uuid> + '_ {
    let target = match scope.target {
        Target::Case(id) => Some(id),
        Target::Object(o) if o.kind == ObjectKind::Case => Some(o.id),
        Target::NewPupil | Target::Pupil(_) | Target::Object(_) | Target::Team => None,
    };
    scope
        .creates
        .iter()
        .chain(&scope.related)
        .filter(|o| o.kind == ObjectKind::Case)
        .map(|o| o.id)
        .chain(target)
}

/// Why an operation on another team's object is refused: its pupil, its
/// case or, for the team's own objects, the object itself is another
/// team's.
fn another_team(kind: ObjectKind, id: Uuid) -> String {
    let owner = match kind {
        ObjectKind::Pupil => "pupil",
        ObjectKind::Contact => "contact",
        _ => "case",
    };
    format!("{owner} belongs to another team ({} {id})", kind.as_str())
}

/// Why an operation of a purged case is refused.
pub fn purged(case: Uuid) -> String {
    format!("case {case} was purged")
}

/// An operation to insert.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpInsert<'a> {
    pub op: &'a PreparedOp,
    pub team_id: i64,
    pub case_id: Option<Uuid>,
    pub received_at_ms: i64,
}

/// An object to add to the index, created by `op_id`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ObjectInsert {
    pub row: ObjectRow,
    pub op_id: Uuid,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Planned {
    /// Accepted: the n-th insert.
    Insert(usize),
    /// Duplicate of a stored operation.
    Stored(i64),
    /// Duplicate of the n-th insert of this same plan.
    SameAsInsert(usize),
    Rejected(String),
}

/// The decisions for a set of pushes.
#[derive(Debug, Clone)]
pub struct Plan<'a> {
    /// To insert in this order; the backend assigns ascending `server_seq`s.
    pub inserts: Vec<OpInsert<'a>>,
    /// New index rows.
    pub objects: Vec<ObjectInsert>,
    planned: Vec<Vec<Planned>>,
}

impl Plan<'_> {
    /// `server_seqs[i]` is the `server_seq` given to `inserts[i]`.
    pub fn finish(
        self,
        pushes: &[PushBatch],
        server_seqs: &[i64],
    ) -> (Vec<Vec<StoredOutcome>>, Vec<AuditRecord>) {
        assert_eq!(
            server_seqs.len(),
            self.inserts.len(),
            "one server_seq per inserted operation"
        );
        let mut audits = Vec::with_capacity(pushes.len());
        let outcomes = self
            .planned
            .into_iter()
            .zip(pushes)
            .map(|(planned, push)| {
                let (mut accepted, mut duplicate, mut rejected) = (0, 0, 0);
                let (mut first, mut last) = (None, None);
                let outcomes: Vec<StoredOutcome> = planned
                    .into_iter()
                    .map(|p| match p {
                        Planned::Insert(i) => {
                            accepted += 1;
                            first = first.or(Some(server_seqs[i]));
                            last = Some(server_seqs[i]);
                            StoredOutcome::Accepted {
                                server_seq: server_seqs[i],
                            }
                        }
                        Planned::SameAsInsert(i) => {
                            duplicate += 1;
                            StoredOutcome::Duplicate {
                                server_seq: server_seqs[i],
                            }
                        }
                        Planned::Stored(server_seq) => {
                            duplicate += 1;
                            StoredOutcome::Duplicate { server_seq }
                        }
                        Planned::Rejected(reason) => {
                            rejected += 1;
                            StoredOutcome::Rejected { reason }
                        }
                    })
                    .collect();
                let range = match (first, last) {
                    (Some(a), Some(b)) => format!(" server_seq={a}..{b}"),
                    _ => String::new(),
                };
                audits.push(AuditRecord {
                    at_ms: push.received_at_ms,
                    actor: format!("device:{}", push.device_id),
                    action: "push".into(),
                    subject: None,
                    detail: format!(
                        "ops={} accepted={accepted} duplicate={duplicate} rejected={rejected}{range}",
                        push.ops.len()
                    ),
                });
                outcomes
            })
            .collect();
        (outcomes, audits)
    }
}

struct Planner<'a, 'l> {
    lookups: &'l Lookups,
    inserts: Vec<OpInsert<'a>>,
    objects: Vec<ObjectInsert>,
    new_objects: HashMap<Uuid, ObjectRow>,
    /// (device, seq) → (op_id, insert index, body) of this plan's inserts.
    pending: HashMap<(Uuid, i64), (Uuid, usize, &'a str)>,
    pending_op_ids: HashMap<Uuid, (Uuid, i64)>,
}

/// Decides every operation of `pushes`, in order, against the stored state
/// in `lookups` plus what earlier operations of the same plan created.
pub fn plan<'a>(pushes: &'a [PushBatch], lookups: &Lookups) -> Plan<'a> {
    let mut planner = Planner {
        lookups,
        inserts: Vec::new(),
        objects: Vec::new(),
        new_objects: HashMap::new(),
        pending: HashMap::new(),
        pending_op_ids: HashMap::new(),
    };
    let planned = pushes
        .iter()
        .map(|push| push.ops.iter().map(|op| planner.decide(push, op)).collect())
        .collect();
    Plan {
        inserts: planner.inserts,
        objects: planner.objects,
        planned,
    }
}

impl<'a> Planner<'a, '_> {
    fn object(&self, id: Uuid) -> Option<ObjectRow> {
        self.new_objects
            .get(&id)
            .or_else(|| self.lookups.objects.get(&id))
            .copied()
    }

    fn decide(&mut self, push: &PushBatch, op: &'a PreparedOp) -> Planned {
        if let Some(p) = self.duplicate(op) {
            return p;
        }
        let (case_id, new_rows) = match self.place(push.team_id, op) {
            Ok(placed) => placed,
            Err(reason) => return Planned::Rejected(reason),
        };
        let index = self.inserts.len();
        self.inserts.push(OpInsert {
            op,
            team_id: push.team_id,
            case_id,
            received_at_ms: push.received_at_ms,
        });
        for row in new_rows {
            self.new_objects.insert(row.id, row);
            self.objects.push(ObjectInsert {
                row,
                op_id: op.op_id,
            });
        }
        self.pending
            .insert((op.device_id, op.seq), (op.op_id, index, &op.body));
        self.pending_op_ids.insert(op.op_id, (op.device_id, op.seq));
        Planned::Insert(index)
    }

    /// Idempotency by (device_id, seq); an op id or seq reused for a
    /// different operation is rejected.
    fn duplicate(&self, op: &PreparedOp) -> Option<Planned> {
        let key = (op.device_id, op.seq);
        let conflict = |other: Uuid| {
            Planned::Rejected(format!(
                "seq {} of device {} is already used by operation {other}",
                op.seq, op.device_id
            ))
        };
        if let Some(stored) = self.lookups.by_device_seq.get(&key) {
            if stored.op_id != op.op_id {
                return Some(conflict(stored.op_id));
            }
            if stored.body != op.body {
                return Some(Planned::Rejected(format!(
                    "operation {} was stored before with different content",
                    op.op_id
                )));
            }
            return Some(Planned::Stored(stored.server_seq));
        }
        if let Some((op_id, index, body)) = self.pending.get(&key) {
            if *op_id != op.op_id {
                return Some(conflict(*op_id));
            }
            if *body != op.body {
                return Some(Planned::Rejected(format!(
                    "operation {} was pushed twice with different content",
                    op.op_id
                )));
            }
            return Some(Planned::SameAsInsert(*index));
        }
        let elsewhere = self
            .lookups
            .by_op_id
            .get(&op.op_id)
            .or_else(|| self.pending_op_ids.get(&op.op_id));
        if let Some((device, seq)) = elsewhere {
            return Some(Planned::Rejected(format!(
                "operation id {} is already used by seq {seq} of device {device}",
                op.op_id
            )));
        }
        None
    }

    fn expect(&self, want: ObjectRef) -> Result<ObjectRow, String> {
        let row = self
            .object(want.id)
            .ok_or_else(|| format!("unknown {} {}", want.kind.as_str(), want.id))?;
        if row.kind != want.kind {
            return Err(format!(
                "{} is a {}, not a {}",
                want.id,
                row.kind.as_str(),
                want.kind.as_str()
            ));
        }
        Ok(row)
    }

    /// The case the operation belongs to and the index rows it adds, or
    /// the reason it is refused.
    fn place(
        &self,
        team_id: i64,
        op: &PreparedOp,
    ) -> Result<(Option<Uuid>, Vec<ObjectRow>), String> {
        let scope = &op.scope;
        // Before anything else: a purged case's objects are gone from the
        // index, and its case-opened would create it again.
        if let Some(case) = named_cases(scope).find(|c| self.lookups.purged.contains(c)) {
            return Err(purged(case));
        }
        let case_id = match scope.target {
            // The team's own objects (key persons) belong to the pushing
            // device's team and to no case: served to that team only.
            Target::NewPupil | Target::Team => None,
            Target::Pupil(pupil) => {
                let row = self.expect(ObjectRef {
                    id: pupil,
                    kind: ObjectKind::Pupil,
                })?;
                if row.team_id != team_id {
                    return Err(format!("pupil belongs to another team (pupil {pupil})"));
                }
                let case = scope
                    .creates
                    .iter()
                    .find(|o| o.kind == ObjectKind::Case)
                    .ok_or_else(|| "an operation on a pupil must open a case".to_string())?;
                Some(case.id)
            }
            Target::Case(case) => {
                let row = self.expect(ObjectRef {
                    id: case,
                    kind: ObjectKind::Case,
                })?;
                if row.team_id != team_id {
                    return Err(format!("case belongs to another team (case {case})"));
                }
                Some(case)
            }
            Target::Object(want) => {
                let row = self.expect(want)?;
                if row.team_id != team_id {
                    return Err(another_team(want.kind, want.id));
                }
                row.case_id
            }
        };
        for rel in &scope.related {
            let row = self.expect(*rel)?;
            if row.team_id != team_id {
                return Err(format!(
                    "case belongs to another team ({} {})",
                    rel.kind.as_str(),
                    rel.id
                ));
            }
            if row.case_id != case_id {
                return Err(format!(
                    "{} {} belongs to another case",
                    rel.kind.as_str(),
                    rel.id
                ));
            }
        }
        let mut new_rows = Vec::new();
        for created in &scope.creates {
            let row = ObjectRow {
                id: created.id,
                kind: created.kind,
                case_id: match created.kind {
                    ObjectKind::Pupil => None,
                    _ => case_id,
                },
                team_id,
            };
            match self.object(created.id) {
                None => {
                    if new_rows.iter().any(|r: &ObjectRow| r.id == created.id) {
                        return Err(format!("id {} is created twice", created.id));
                    }
                    new_rows.push(row);
                }
                Some(existing) if existing.team_id != team_id => {
                    return Err(another_team(existing.kind, created.id));
                }
                // The same object again (e.g. re-registered): nothing new.
                Some(existing) if existing == row => {}
                Some(existing) => {
                    return Err(format!(
                        "id {} is already used by a {}",
                        created.id,
                        existing.kind.as_str()
                    ));
                }
            }
        }
        Ok((case_id, new_rows))
    }
}

/// Which requests are admitted, in batch order: a request needs an
/// enrolled, active device and a nonce never seen. `revoked_at` holds the
/// `revoked_at` of every request's device the store found (None: active);
/// `remember` stores the nonce of a request of an active device and says
/// whether it was new. It is called for those requests only and in batch
/// order, so a revoked or unknown device's nonce is never stored and of two
/// requests with one nonce the first wins.
pub fn admit<E>(
    requests: &[RequestWrite],
    revoked_at: &HashMap<Uuid, Option<i64>>,
    mut remember: impl FnMut(&NonceRecord) -> Result<bool, E>,
) -> Result<Vec<Option<Admission>>, E> {
    requests
        .iter()
        .map(|r| {
            Ok(match revoked_at.get(&r.nonce.device_id) {
                None => Some(Admission::UnknownDevice),
                Some(Some(_)) => Some(Admission::Revoked),
                Some(None) => (!remember(&r.nonce)?).then_some(Admission::Replayed),
            })
        })
        .collect()
}

/// A stored enrolment code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EnrollCode {
    pub user_id: i64,
    pub team_id: i64,
    pub expires_at_ms: i64,
    pub used_at_ms: Option<i64>,
}

/// The code a device may enrol with at `now_ms`: known, never used (a code
/// is for one device), not expired.
pub fn usable_code(code: Option<EnrollCode>, now_ms: i64) -> Result<EnrollCode, StoreError> {
    let code = code.ok_or(StoreError::InvalidCode(CodeProblem::Unknown))?;
    if code.used_at_ms.is_some() {
        return Err(StoreError::InvalidCode(CodeProblem::Used));
    }
    if now_ms >= code.expires_at_ms {
        return Err(StoreError::InvalidCode(CodeProblem::Expired));
    }
    Ok(code)
}

/// The rows to fetch for a page of at most `limit`: one more, which says
/// whether more follow.
pub fn page_rows(limit: u32) -> i64 {
    i64::from(limit) + 1
}

/// A page of at most `limit` from rows fetched with [`page_rows`].
pub fn page(mut ops: Vec<(i64, String)>, limit: u32) -> PullPage {
    let more = ops.len() > limit as usize;
    ops.truncate(limit as usize);
    PullPage { ops, more }
}

/// What revoking a device writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Revocation {
    pub revoked_at_ms: i64,
    /// The highest seq of the device's stored operations, 0 when none.
    pub last_seq: i64,
}

impl Revocation {
    /// A revocation asked for now, of whatever the server holds.
    pub fn now(now_ms: i64) -> Revocation {
        Revocation {
            revoked_at_ms: now_ms,
            last_seq: 0,
        }
    }
}

/// What revoking device `id` as `asked` writes, given its stored
/// `revoked_at` (None: no such device) and the highest seq stored of it:
/// nothing for a device revoked already (its first revocation stands).
/// The seq recorded is the higher of the stored one and the one asked: a
/// revocation re-applied after a restore keeps the seq it had, so the
/// device's operations below it that other devices push again still land.
pub fn revocation(
    id: Uuid,
    revoked_at: Option<Option<i64>>,
    max_seq: Option<i64>,
    asked: Revocation,
) -> Result<Option<Revocation>, StoreError> {
    match revoked_at {
        None => Err(StoreError::NotFound(format!("device {id}"))),
        Some(Some(_)) => Ok(None),
        Some(None) => Ok(Some(Revocation {
            revoked_at_ms: asked.revoked_at_ms,
            last_seq: max_seq.unwrap_or(0).max(asked.last_seq),
        })),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use brygga_protocol::op::Payload;

    const TEAM_A: i64 = 1;
    const TEAM_B: i64 = 2;

    fn id(n: u128) -> Uuid {
        Uuid::from_u128(n)
    }

    fn prep(device: Uuid, seq: i64, payload: Payload) -> PreparedOp {
        PreparedOp {
            op_id: Uuid::from_u128(((device.as_u128() & 0xffff) << 32) | seq as u128),
            device_id: device,
            seq,
            type_name: payload.type_name(),
            scope: payload.scope(),
            body: format!("{device}/{seq}"),
        }
    }

    fn push(device: Uuid, team_id: i64, ops: Vec<PreparedOp>) -> PushBatch {
        PushBatch {
            device_id: device,
            team_id,
            received_at_ms: 5,
            ops,
        }
    }

    fn pupil(n: u128) -> Payload {
        Payload::PupilRegistered {
            pupil_id: id(n),
            name: "Fiktiv Elev".into(),
            personnummer: "201001012384".into(),
            school: "Fiktiva skolan".into(),
            grade: 8,
            protected_identity: false,
        }
    }

    /// Runs the plan and returns outcomes, giving server_seqs 100, 101, …
    fn run(pushes: &[PushBatch], lookups: &Lookups) -> (Vec<Vec<StoredOutcome>>, Plan<'static>) {
        let leaked: &'static [PushBatch] = Box::leak(pushes.to_vec().into_boxed_slice());
        let p = plan(leaked, lookups);
        let seqs: Vec<i64> = (0..p.inserts.len() as i64).map(|i| 100 + i).collect();
        let copy = p.clone();
        (p.finish(leaked, &seqs).0, copy)
    }

    fn rejected(o: &StoredOutcome) -> &str {
        match o {
            StoredOutcome::Rejected { reason } => reason,
            other => panic!("expected rejected, got {other:?}"),
        }
    }

    #[test]
    fn a_story_within_one_plan_is_accepted_in_order() {
        let dev = id(0xa);
        let ops = vec![
            prep(dev, 1, pupil(1)),
            prep(
                dev,
                2,
                Payload::CaseOpened {
                    case_id: id(2),
                    pupil_id: id(1),
                },
            ),
            prep(
                dev,
                3,
                Payload::GuardianAdded {
                    guardian_id: id(3),
                    case_id: id(2),
                    name: "g".into(),
                    relation: "mor".into(),
                },
            ),
            prep(
                dev,
                4,
                Payload::EntrySigned {
                    entry_id: id(9),
                    content_hash: None,
                },
            ),
            prep(dev, 5, Payload::CaseClosed { case_id: id(2) }),
        ];
        let (out, p) = run(&[push(dev, TEAM_A, ops)], &Lookups::default());
        assert_eq!(out[0][0], StoredOutcome::Accepted { server_seq: 100 });
        assert_eq!(out[0][1], StoredOutcome::Accepted { server_seq: 101 });
        assert_eq!(out[0][2], StoredOutcome::Accepted { server_seq: 102 });
        assert!(rejected(&out[0][3]).contains("unknown entry"));
        // The rejected op does not block the next one.
        assert_eq!(out[0][4], StoredOutcome::Accepted { server_seq: 103 });
        assert_eq!(p.inserts[0].case_id, None);
        assert_eq!(p.inserts[1].case_id, Some(id(2)));
        assert_eq!(p.inserts[2].case_id, Some(id(2)));
        assert_eq!(p.objects.len(), 3);
        assert_eq!(p.objects[1].row.case_id, Some(id(2)));
    }

    fn stored_case_of_team_a() -> Lookups {
        let mut l = Lookups::default();
        for (n, kind, case) in [
            (1, ObjectKind::Pupil, None),
            (2, ObjectKind::Case, Some(id(2))),
            (3, ObjectKind::Guardian, Some(id(2))),
        ] {
            l.objects.insert(
                id(n),
                ObjectRow {
                    id: id(n),
                    kind,
                    case_id: case,
                    team_id: TEAM_A,
                },
            );
        }
        l
    }

    #[test]
    fn another_team_cannot_touch_the_case_or_pupil() {
        let l = stored_case_of_team_a();
        let dev = id(0xb);
        let ops = vec![
            prep(dev, 1, Payload::CaseClosed { case_id: id(2) }),
            prep(
                dev,
                2,
                Payload::GuardianFieldSet {
                    guardian_id: id(3),
                    field: brygga_protocol::op::GuardianField::Phone,
                    value: "070".into(),
                    replaces: None,
                },
            ),
            prep(
                dev,
                3,
                Payload::CaseOpened {
                    case_id: id(20),
                    pupil_id: id(1),
                },
            ),
            prep(dev, 4, pupil(1)),
        ];
        let (out, p) = run(&[push(dev, TEAM_B, ops)], &l);
        for o in &out[0] {
            assert!(rejected(o).contains("another team"), "{o:?}");
        }
        assert!(rejected(&out[0][0]).contains("case"));
        assert!(p.inserts.is_empty() && p.objects.is_empty());
    }

    #[test]
    fn a_key_person_is_the_teams_that_added_it_and_of_no_case() {
        let contact = id(30);
        let added = |dev, seq| {
            prep(
                dev,
                seq,
                Payload::ContactAdded {
                    contact_id: contact,
                    org_kind: brygga_protocol::op::OrgKind::School,
                    org_name: "Fiktiva skolan".into(),
                    role: "rektor".into(),
                    name: "Fiktiv Rektor".into(),
                    phone: None,
                    email: None,
                },
            )
        };
        let changed = |dev, seq| {
            prep(
                dev,
                seq,
                Payload::ContactChanged {
                    contact_id: contact,
                    field: brygga_protocol::op::ContactField::Role,
                    value: "mentor".into(),
                    replaces: None,
                },
            )
        };
        let (a, b) = (id(0xa), id(0xb));
        let (out, p) = run(
            &[
                push(a, TEAM_A, vec![added(a, 1), changed(a, 2)]),
                push(b, TEAM_B, vec![changed(b, 1), added(b, 2)]),
            ],
            &Lookups::default(),
        );
        assert_eq!(out[0][0], StoredOutcome::Accepted { server_seq: 100 });
        assert_eq!(out[0][1], StoredOutcome::Accepted { server_seq: 101 });
        for o in &out[1] {
            assert_eq!(
                rejected(o),
                format!("contact belongs to another team (contact {contact})")
            );
        }
        assert!(p
            .inserts
            .iter()
            .all(|i| i.team_id == TEAM_A && i.case_id.is_none()));
        assert_eq!(
            p.objects.iter().map(|o| o.row).collect::<Vec<_>>(),
            [ObjectRow {
                id: contact,
                kind: ObjectKind::Contact,
                case_id: None,
                team_id: TEAM_A,
            }]
        );
    }

    #[test]
    fn duplicates_are_recognised_stored_and_within_the_plan() {
        let mut l = stored_case_of_team_a();
        let dev = id(0xa);
        let first = prep(dev, 1, Payload::CaseClosed { case_id: id(2) });
        l.by_device_seq.insert(
            (dev, 1),
            StoredOp {
                op_id: first.op_id,
                server_seq: 7,
                body: first.body.clone(),
            },
        );
        l.by_op_id.insert(first.op_id, (dev, 1));
        let second = prep(dev, 2, Payload::CaseClosed { case_id: id(2) });
        let mut reused_seq = prep(dev, 1, Payload::CaseClosed { case_id: id(2) });
        reused_seq.op_id = id(0xdead);
        let mut changed = first.clone();
        changed.body.push('!');
        let mut reused_id = prep(dev, 3, Payload::CaseClosed { case_id: id(2) });
        reused_id.op_id = first.op_id;
        let pushes = [
            push(dev, TEAM_A, vec![first.clone(), second.clone()]),
            push(dev, TEAM_A, vec![second, reused_seq, changed, reused_id]),
        ];
        let (out, _) = run(&pushes, &l);
        assert_eq!(out[0][0], StoredOutcome::Duplicate { server_seq: 7 });
        assert_eq!(out[0][1], StoredOutcome::Accepted { server_seq: 100 });
        assert_eq!(out[1][0], StoredOutcome::Duplicate { server_seq: 100 });
        assert!(rejected(&out[1][1]).contains("already used by operation"));
        assert!(rejected(&out[1][2]).contains("different content"));
        assert!(rejected(&out[1][3]).contains("already used by seq 1"));
    }

    #[test]
    fn kinds_and_related_objects_are_checked() {
        let l = stored_case_of_team_a();
        let dev = id(0xa);
        let ops = vec![
            // A guardian id used as an entry.
            prep(
                dev,
                1,
                Payload::EntrySigned {
                    entry_id: id(3),
                    content_hash: None,
                },
            ),
            // The case id used as a new guardian of another kind.
            prep(
                dev,
                2,
                Payload::GuardianAdded {
                    guardian_id: id(2),
                    case_id: id(2),
                    name: "g".into(),
                    relation: "far".into(),
                },
            ),
            prep(
                dev,
                3,
                Payload::ConsentRecorded {
                    consent_id: id(4),
                    case_id: id(2),
                    guardian_id: Some(id(77)),
                    scope: "s".into(),
                    recipient: "r".into(),
                    purpose: "p".into(),
                    form: brygga_protocol::op::ConsentForm::Oral,
                    given_on: chrono::NaiveDate::from_ymd_opt(2026, 1, 1).expect("date"),
                    valid_until: None,
                },
            ),
        ];
        let (out, _) = run(&[push(dev, TEAM_A, ops)], &l);
        assert!(rejected(&out[0][0]).contains("is a guardian, not a entry"));
        assert!(rejected(&out[0][1]).contains("already used by a case"));
        assert!(rejected(&out[0][2]).contains("unknown guardian"));
    }

    #[test]
    fn the_audit_counts_outcomes() {
        let dev = id(0xa);
        let pushes = [push(
            dev,
            TEAM_A,
            vec![
                prep(dev, 1, pupil(1)),
                prep(dev, 2, Payload::CaseClosed { case_id: id(5) }),
            ],
        )];
        let p = plan(&pushes, &Lookups::default());
        let (_, audits) = p.finish(&pushes, &[41]);
        assert_eq!(audits.len(), 1);
        assert_eq!(
            audits[0].detail,
            "ops=2 accepted=1 duplicate=0 rejected=1 server_seq=41..41"
        );
        assert_eq!(audits[0].actor, format!("device:{dev}"));
    }

    #[test]
    fn nothing_of_a_purged_case_is_taken_again() {
        let mut l = stored_case_of_team_a();
        let purged_case = id(20);
        l.purged.insert(purged_case);
        let dev = id(0xa);
        let ops = vec![
            // Opened again on a laptop that still held it: it would
            // create the case object anew.
            prep(
                dev,
                1,
                Payload::CaseOpened {
                    case_id: purged_case,
                    pupil_id: id(1),
                },
            ),
            prep(
                dev,
                2,
                Payload::CaseClosed {
                    case_id: purged_case,
                },
            ),
            prep(
                dev,
                3,
                Payload::CaseReopened {
                    case_id: purged_case,
                },
            ),
            prep(
                dev,
                4,
                Payload::GuardianAdded {
                    guardian_id: id(21),
                    case_id: purged_case,
                    name: "g".into(),
                    relation: "far".into(),
                },
            ),
            // The case that is not purged is untouched.
            prep(dev, 5, Payload::CaseClosed { case_id: id(2) }),
        ];
        let (out, p) = run(&[push(dev, TEAM_A, ops)], &l);
        for o in &out[0][..4] {
            assert_eq!(rejected(o), format!("case {purged_case} was purged"));
        }
        assert_eq!(out[0][4], StoredOutcome::Accepted { server_seq: 100 });
        assert!(p.objects.is_empty());
        let mut k = keys(&[push(
            dev,
            TEAM_A,
            vec![prep(
                dev,
                1,
                Payload::CaseClosed {
                    case_id: purged_case,
                },
            )],
        )]);
        k.object_ids.sort();
        assert_eq!(k.object_ids, vec![purged_case], "the backends look it up");
    }

    #[test]
    fn keys_name_every_object() {
        let dev = id(0xa);
        let pushes = [push(
            dev,
            TEAM_A,
            vec![prep(
                dev,
                1,
                Payload::CaseOpened {
                    case_id: id(2),
                    pupil_id: id(1),
                },
            )],
        )];
        let mut k = keys(&pushes);
        k.object_ids.sort();
        assert_eq!(k.object_ids, vec![id(1), id(2)]);
        assert_eq!(k.device_seqs, vec![(dev, 1)]);
    }

    fn request(device: Uuid, nonce: &str) -> RequestWrite {
        RequestWrite::nonce_only(NonceRecord {
            device_id: device,
            nonce: nonce.into(),
            expires_at_ms: 9,
        })
    }

    #[test]
    fn admission_needs_an_active_device_and_a_fresh_nonce() {
        let (active, revoked, unknown) = (id(1), id(2), id(3));
        let devices = HashMap::from([(active, None), (revoked, Some(5))]);
        let requests = [
            request(active, "n1"),
            request(revoked, "n2"),
            request(unknown, "n3"),
            request(active, "n1"),
        ];
        let mut remembered = Vec::new();
        let admitted = admit(&requests, &devices, |n| {
            let fresh = !remembered.contains(&n.nonce);
            remembered.push(n.nonce.clone());
            Ok::<_, ()>(fresh)
        })
        .expect("admit");
        assert_eq!(
            admitted,
            [
                None,
                Some(Admission::Revoked),
                Some(Admission::UnknownDevice),
                Some(Admission::Replayed)
            ]
        );
        assert_eq!(
            remembered,
            ["n1", "n1"],
            "only an active device's nonces, in order"
        );
    }

    #[test]
    fn an_enrolment_code_is_for_one_device_until_it_expires() {
        let code = EnrollCode {
            user_id: 1,
            team_id: 2,
            expires_at_ms: 100,
            used_at_ms: None,
        };
        assert_eq!(usable_code(Some(code), 99), Ok(code));
        assert_eq!(
            usable_code(Some(code), 100),
            Err(StoreError::InvalidCode(CodeProblem::Expired))
        );
        let used = EnrollCode {
            used_at_ms: Some(50),
            ..code
        };
        assert_eq!(
            usable_code(Some(used), 60),
            Err(StoreError::InvalidCode(CodeProblem::Used))
        );
        assert_eq!(
            usable_code(None, 60),
            Err(StoreError::InvalidCode(CodeProblem::Unknown))
        );
    }

    #[test]
    fn a_page_says_whether_more_follow() {
        let rows = |n: i64| (1..=n).map(|s| (s, String::new())).collect::<Vec<_>>();
        assert_eq!(page_rows(2), 3);
        assert_eq!(
            page(rows(3), 2),
            PullPage {
                ops: rows(2),
                more: true
            }
        );
        assert_eq!(
            page(rows(2), 2),
            PullPage {
                ops: rows(2),
                more: false
            }
        );
    }

    #[test]
    fn a_revocation_records_the_last_seq_once() {
        let dev = id(1);
        let now = Revocation::now(50);
        assert_eq!(
            revocation(dev, Some(None), Some(7), now),
            Ok(Some(Revocation {
                revoked_at_ms: 50,
                last_seq: 7
            }))
        );
        assert_eq!(
            revocation(dev, Some(None), None, now).map(|r| r.map(|r| r.last_seq)),
            Ok(Some(0)),
            "0 without operations"
        );
        assert_eq!(revocation(dev, Some(Some(5)), Some(7), now), Ok(None));
        assert!(matches!(
            revocation(dev, None, None, now),
            Err(StoreError::NotFound(_))
        ));
    }

    #[test]
    fn a_revocation_re_applied_after_a_restore_keeps_its_seq_and_time() {
        let recorded = Revocation {
            revoked_at_ms: 40,
            last_seq: 9,
        };
        assert_eq!(
            revocation(id(1), Some(None), Some(4), recorded),
            Ok(Some(recorded)),
            "the backup held fewer of its operations than the server had"
        );
        assert_eq!(
            revocation(id(1), Some(None), Some(12), recorded).map(|r| r.map(|r| r.last_seq)),
            Ok(Some(12))
        );
    }
}
