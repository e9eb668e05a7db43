//! The command line, as clap types. Values that can be checked without the
//! journal (kinds, times, dates, key=value, ids) are parsed here, so bad
//! input exits 2 before the passphrase is asked for.

use crate::exit::{Failure, Result};
use crate::parse;
use brygga_core::attendance::{Role, Thresholds, TimeUnit};
use brygga_core::{
    ActionStatus, ConsentForm, DeviationCategory, DeviationStatus, DisclosureGround, EntryKind,
    GuardianField, LeaveOut, NewAction, OrgKind,
};
use chrono::{DateTime, NaiveDate, Utc, Weekday};
use clap::{ArgGroup, Args, CommandFactory, Parser, Subcommand};
use std::collections::BTreeMap;
use std::ffi::OsString;
use std::path::PathBuf;
use uuid::Uuid;

const AFTER_HELP: &str = "\
The passphrase is read from BRYGGA_PASSPHRASE, else asked for on the terminal.
Ids of what is created are printed alone on stdout; --json prints view models.

Exit codes: 0 ok, 1 internal error, 2 usage or invalid input, 3 wrong passphrase,
4 not found (also: no journal), 5 journal damaged.";

#[derive(Debug, Parser)]
#[command(
    name = "brygga",
    version,
    about = "Brygga's headless client: the encrypted case journal from the command line",
    after_help = AFTER_HELP
)]
pub struct Cli {
    /// The journal's directory [default: the platform's data directory]
    #[arg(long, global = true, value_name = "DIR", env = "BRYGGA_DATA_DIR")]
    pub data_dir: Option<PathBuf>,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create a new encrypted journal (asks for the passphrase twice)
    Init {
        /// Your name as it will stand on every entry [default: $USER]
        #[arg(long, value_name = "NAME")]
        author: Option<String>,
    },
    /// Change the passphrase (the new one from BRYGGA_NEW_PASSPHRASE, else asked twice)
    Passwd,
    /// Pupils (elever)
    #[command(subcommand)]
    Pupil(PupilCommand),
    /// Cases (ärenden)
    #[command(subcommand)]
    Case(CaseCommand),
    /// Journal entries: draft, sign, correct
    #[command(subcommand)]
    Entry(EntryCommand),
    /// Guardians (vårdnadshavare) of a case
    #[command(subcommand)]
    Guardian(GuardianCommand),
    /// Consents (samtycken)
    #[command(subcommand)]
    Consent(ConsentCommand),
    /// Collaboration plans (samverkansplaner, SIP)
    #[command(subcommand)]
    Plan(PlanCommand),
    /// Reports of concern (orosanmälningar)
    #[command(subcommand)]
    Concern(ConcernCommand),
    /// The return ladder (återgångstrappan): the steps back to class
    #[command(subcommand)]
    Ladder(LadderCommand),
    /// Programmes (Back2School): planned sessions, which are done, what is next
    #[command(subcommand)]
    Programme(ProgrammeCommand),
    /// The team's key persons at schools and partner organisations
    #[command(subcommand)]
    Contacts(ContactsCommand),
    /// Deviations in collaboration: where working with a partner failed,
    /// to raise and mend; the team's summary by partner and category
    #[command(subcommand)]
    Deviation(DeviationCommand),
    /// The disclosure register: what was shared outside the team, with
    /// whom and on which ground
    #[command(subcommand)]
    Disclosure(DisclosureCommand),
    /// The morning check-in: who is expected
    #[command(subcommand)]
    Checkin(CheckinCommand),
    /// Follow-ups of mornings when an expected pupil was not seen
    #[command(subcommand)]
    Followup(FollowupCommand),
    /// Collaboration meetings: the agenda from a case's plans, and the
    /// signed minutes with each action's result
    #[command(subcommand)]
    Meeting(MeetingCommand),
    /// Full-text search over entry and correction text
    Search(SearchArgs),
    /// The tamper-evident audit log
    #[command(subcommand)]
    Audit(AuditCommand),
    /// School attendance (frånvaro): import, figures, chart data, thresholds
    #[command(subcommand)]
    Attendance(AttendanceCommand),
    /// The municipality's settings in force here (read-only: they are set
    /// on the server)
    #[command(subcommand)]
    Settings(SettingsCommand),
    /// Files for others: a case journal (PDF), the ESF participant list,
    /// follow-up statistics
    #[command(subcommand)]
    Export(ExportCommand),
    /// Register this device with the municipality's server (one-time code from an admin)
    Enroll {
        /// The server address, https://HOST:PORT
        #[arg(long, value_name = "URL")]
        server: String,
        /// The enrolment code printed by `brygga-server device enroll-code`
        #[arg(long, value_name = "CODE")]
        code: String,
        /// A name for this laptop in the server's device list [default: the host name]
        #[arg(long, value_name = "NAME")]
        name: Option<String>,
    },
    /// Start again on this laptop without the old passphrase: move the
    /// journal aside (not deleted), create a new one, enrol it with a new
    /// one-time code and fetch the team's caseload. Changes not yet synced
    /// are lost. The new passphrase is read like `init`'s.
    StartAgain {
        /// The server address, https://HOST:PORT
        #[arg(long, value_name = "URL")]
        server: String,
        /// A new enrolment code from `brygga-server device enroll-code`
        #[arg(long, value_name = "CODE")]
        code: String,
        /// Your name as it will stand on every entry [default: $USER]
        #[arg(long, value_name = "NAME")]
        author: Option<String>,
        /// A name for this laptop in the server's device list [default: the host name]
        #[arg(long, value_name = "NAME")]
        name: Option<String>,
        /// Do not ask for confirmation
        #[arg(long)]
        yes: bool,
    },
    /// Send this device's changes to the server and fetch the team's
    Sync {
        /// Only show the sync status (pending changes, last successful sync, quarantine, conflicts)
        #[arg(long)]
        status: bool,
        #[command(flatten)]
        format: Format,
    },
}

/// `--json` of every list and show command.
#[derive(Debug, Args)]
pub struct Format {
    /// Print JSON instead of text
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Subcommand)]
pub enum PupilCommand {
    /// Register a pupil; prints the pupil's id
    Add(PupilAdd),
    /// List the pupils on this device
    List(Format),
}

#[derive(Debug, Args)]
pub struct PupilAdd {
    #[arg(long)]
    pub name: String,
    /// YYYYMMDD-NNNC, YYMMDD-NNNC or 10/12 digits; samordningsnummer accepted
    #[arg(long)]
    pub personnummer: String,
    #[arg(long)]
    pub school: String,
    /// Grade (årskurs), 7–9
    #[arg(long)]
    pub grade: u8,
    /// The pupil has a protected identity (school and address never shown)
    #[arg(long)]
    pub protected: bool,
}

#[derive(Debug, Subcommand)]
pub enum CaseCommand {
    /// Open a case for a pupil; prints the case's id
    Open {
        #[arg(long, value_name = "ID", value_parser = parse::id)]
        pupil: Uuid,
    },
    /// Close a case (refused while it has unsigned drafts)
    Close {
        #[arg(value_parser = parse::id)]
        id: Uuid,
    },
    /// Reopen a closed case; one that left this laptop is fetched back
    /// from the server first
    Reopen {
        #[arg(value_parser = parse::id)]
        id: Uuid,
    },
    /// List cases, open ones first
    List {
        /// Include closed cases
        #[arg(long)]
        all: bool,
        /// List instead the closed cases that left this laptop (the server
        /// holds them; `case reopen` fetches one back) and purged ones
        #[arg(long, conflicts_with = "all")]
        left: bool,
        #[command(flatten)]
        format: Format,
    },
    /// Show a case: pupil, guardians, consents, plans, reports of concern
    Show {
        #[arg(value_parser = parse::id)]
        id: Uuid,
        #[command(flatten)]
        format: Format,
    },
}

#[derive(Debug, Subcommand)]
pub enum EntryCommand {
    /// Write a draft entry; prints the entry's id
    Add(EntryAdd),
    /// Change a draft; what is not given is kept
    Edit(EntryEdit),
    /// Sign a draft; it can never change afterwards
    Sign {
        #[arg(value_parser = parse::id)]
        id: Uuid,
    },
    /// Correct a signed entry; the original stays readable. Prints the correction's id
    Correct(EntryCorrect),
    /// A case's timeline
    List {
        #[arg(long, value_name = "ID", value_parser = parse::id)]
        case: Uuid,
        #[command(flatten)]
        format: Format,
    },
    /// One entry with its corrections
    Show {
        #[arg(value_parser = parse::id)]
        id: Uuid,
        #[command(flatten)]
        format: Format,
    },
}

#[derive(Debug, Args)]
pub struct EntryAdd {
    #[arg(long, value_name = "ID", value_parser = parse::id)]
    pub case: Uuid,
    /// home-visit, morning-checkin, apartment-session, consultation,
    /// collaboration-meeting, phone-call or note
    #[arg(long, value_parser = parse::kind)]
    pub kind: EntryKind,
    /// When it happened, RFC 3339 with offset, e.g. 2025-03-14T08:15:00+01:00
    #[arg(long, value_name = "RFC3339", value_parser = parse::time)]
    pub at: DateTime<Utc>,
    #[command(flatten)]
    pub content: ContentArgs,
}

#[derive(Debug, Args)]
pub struct EntryEdit {
    #[arg(value_parser = parse::id)]
    pub id: Uuid,
    /// A new kind; the draft's fields are then not carried over
    #[arg(long, value_parser = parse::kind)]
    pub kind: Option<EntryKind>,
    /// A new event time, RFC 3339 with offset
    #[arg(long, value_name = "RFC3339", value_parser = parse::time)]
    pub at: Option<DateTime<Utc>>,
    #[command(flatten)]
    pub content: ContentArgs,
}

/// What an entry says, shared by `entry add` and `entry edit`.
#[derive(Debug, Args)]
pub struct ContentArgs {
    #[command(flatten)]
    pub text: TextArgs,
    /// A field of the entry's kind (docs/entry-kinds.md); repeat for more.
    /// In `entry edit`, `key=` removes the field
    #[arg(long = "field", value_name = "KEY=VALUE", value_parser = parse::key_value)]
    pub fields: Vec<(String, String)>,
    /// Who took part who is not one of the team's key persons (the pupil,
    /// a guardian); repeat for more. In `entry edit`, replaces the list
    #[arg(long = "participant", value_name = "NAME")]
    pub participants: Vec<String>,
    /// A key person of the team who took part, by id (`brygga contacts
    /// list`); repeat for more. In `entry edit`, replaces the list
    #[arg(long = "key-person", value_name = "ID", value_parser = parse::id)]
    pub key_persons: Vec<Uuid>,
}

impl ContentArgs {
    /// The `--field` pairs as a map; a key given twice is refused.
    pub fn field_map(&self) -> Result<BTreeMap<String, String>> {
        let mut map = BTreeMap::new();
        for (key, value) in &self.fields {
            if map.insert(key.clone(), value.clone()).is_some() {
                return Err(Failure::usage(format!(
                    "--field {key} is given twice; give each field once"
                )));
            }
        }
        Ok(map)
    }

    pub fn is_empty(&self) -> bool {
        self.text.is_empty()
            && self.fields.is_empty()
            && self.participants.is_empty()
            && self.key_persons.is_empty()
    }
}

/// Free text, given inline or read from a file (`-` for stdin).
#[derive(Debug, Args)]
pub struct TextArgs {
    /// The text
    #[arg(long, value_name = "TEXT", conflicts_with = "text_file")]
    pub text: Option<String>,
    /// Read the text from a file (`-` reads stdin)
    #[arg(long, value_name = "FILE")]
    pub text_file: Option<PathBuf>,
}

impl TextArgs {
    pub fn is_empty(&self) -> bool {
        self.text.is_none() && self.text_file.is_none()
    }

    /// The text if one was given, reading the file if need be.
    pub fn read(&self) -> Result<Option<String>> {
        let Some(path) = &self.text_file else {
            return Ok(self.text.clone());
        };
        let read = if path.as_os_str() == "-" {
            std::io::read_to_string(std::io::stdin())
        } else {
            std::fs::read_to_string(path)
        };
        read.map(Some).map_err(|e| {
            Failure::usage(format!(
                "cannot read the text from {}: {e}; check the path (the file must be UTF-8 text)",
                path.display()
            ))
        })
    }

    /// The text, which must be given.
    pub fn require(&self) -> Result<String> {
        self.read()?
            .ok_or_else(|| Failure::usage("give the text with --text TEXT or --text-file FILE"))
    }
}

#[derive(Debug, Args)]
pub struct EntryCorrect {
    #[arg(value_parser = parse::id)]
    pub id: Uuid,
    #[command(flatten)]
    pub text: TextArgs,
    /// Why the entry is corrected
    #[arg(long)]
    pub reason: String,
}

#[derive(Debug, Subcommand)]
pub enum GuardianCommand {
    /// Add a guardian to a case; prints the guardian's id
    Add {
        #[arg(long, value_name = "ID", value_parser = parse::id)]
        case: Uuid,
        #[arg(long)]
        name: String,
        /// E.g. mamma, pappa, förälder
        #[arg(long)]
        relation: String,
        #[command(flatten)]
        contact: ContactArgs,
    },
    /// Set a guardian's phone, e-mail or address
    Set {
        #[arg(value_parser = parse::id)]
        id: Uuid,
        #[command(flatten)]
        contact: ContactArgs,
    },
}

/// A guardian's contact details.
#[derive(Debug, Args)]
pub struct ContactArgs {
    #[arg(long)]
    pub phone: Option<String>,
    #[arg(long)]
    pub email: Option<String>,
    /// Never shown for a pupil with a protected identity
    #[arg(long)]
    pub address: Option<String>,
}

impl ContactArgs {
    /// The fields that were given, in a fixed order.
    pub fn given(&self) -> Vec<(GuardianField, &str)> {
        [
            (GuardianField::Phone, &self.phone),
            (GuardianField::Email, &self.email),
            (GuardianField::Address, &self.address),
        ]
        .into_iter()
        .filter_map(|(field, value)| value.as_deref().map(|v| (field, v)))
        .collect()
    }
}

#[derive(Debug, Subcommand)]
pub enum ConsentCommand {
    /// Record a consent; prints the consent's id
    Add(ConsentAdd),
    /// Withdraw a consent
    Withdraw {
        #[arg(value_parser = parse::id)]
        id: Uuid,
        /// The day it was withdrawn, YYYY-MM-DD [default: today]
        #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse::date)]
        on: Option<NaiveDate>,
    },
    /// A case's consents
    List {
        #[arg(long, value_name = "ID", value_parser = parse::id)]
        case: Uuid,
        #[command(flatten)]
        format: Format,
    },
}

#[derive(Debug, Args)]
#[command(group(ArgGroup::new("giver").required(true).args(["guardian", "pupil"])))]
pub struct ConsentAdd {
    #[arg(long, value_name = "ID", value_parser = parse::id)]
    pub case: Uuid,
    /// The guardian who gave it
    #[arg(long, value_name = "ID", value_parser = parse::id)]
    pub guardian: Option<Uuid>,
    /// The pupil gave it
    #[arg(long)]
    pub pupil: bool,
    /// Which information may be shared
    #[arg(long)]
    pub scope: String,
    /// With whom
    #[arg(long)]
    pub recipient: String,
    /// For what
    #[arg(long)]
    pub purpose: String,
    /// oral or written
    #[arg(long, value_parser = parse::form)]
    pub form: ConsentForm,
    /// The day it was given, YYYY-MM-DD
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse::date)]
    pub given: NaiveDate,
    /// The last day it is valid, YYYY-MM-DD
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse::date)]
    pub until: Option<NaiveDate>,
}

#[derive(Debug, Subcommand)]
pub enum PlanCommand {
    /// Create a collaboration plan; prints the plan's id
    Add(PlanAdd),
    /// Set the status of a plan action (ids: `brygga case show CASE`)
    #[command(name = "action-status")]
    SetActionStatus {
        #[arg(value_parser = parse::id)]
        action_id: Uuid,
        /// planned, ongoing, done or cancelled
        #[arg(value_parser = parse::status)]
        status: ActionStatus,
    },
    /// Write a new version of a plan; what is not given is kept, and the
    /// old version stays readable (`plan versions`)
    Revise(PlanRevise),
    /// Every version of a plan, oldest first
    Versions {
        #[arg(long, value_name = "ID", value_parser = parse::id)]
        plan: Uuid,
        #[command(flatten)]
        format: Format,
    },
    /// Set when a plan action happens each week, e.g. --days mon,wed --time 08:10
    Schedule {
        #[arg(long, value_name = "ID", value_parser = parse::id)]
        action: Uuid,
        /// Weekdays, comma-separated: mon,tue,wed,thu,fri,sat,sun
        #[arg(long, value_name = "DAYS", value_parser = parse::weekday, value_delimiter = ',', required = true)]
        days: Vec<Weekday>,
        /// Local time, HH:MM
        #[arg(long, value_name = "HH:MM", value_parser = parse::time_of_day)]
        time: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum CheckinCommand {
    /// The pupils expected on a day (open cases with a scheduled plan action
    /// that weekday), earliest first
    Expected {
        /// The day, YYYY-MM-DD [default: today]
        #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse::date)]
        date: Option<NaiveDate>,
        #[command(flatten)]
        format: Format,
    },
}

#[derive(Debug, Subcommand)]
pub enum FollowupCommand {
    /// The follow-ups not yet done, oldest first
    List(Format),
    /// Mark a follow-up done (today)
    Done {
        #[arg(value_parser = parse::id)]
        id: Uuid,
    },
}

#[derive(Debug, Subcommand)]
pub enum SettingsCommand {
    /// The ladder's steps, the absence thresholds and how long a closed
    /// case stays, and where each comes from
    Show(Format),
}

#[derive(Debug, Subcommand)]
pub enum LadderCommand {
    /// The ladder's steps in force, in order: key and names (the built-in
    /// ones without a journal)
    Steps(Format),
    /// Record the step a case has reached (decided today), optionally with
    /// the planned next step; prints the record's id
    Set(LadderSet),
    /// A case's ladder: the current step, its history and the planned next step
    Show {
        #[arg(long, value_name = "ID", value_parser = parse::id)]
        case: Uuid,
        #[command(flatten)]
        format: Format,
    },
}

#[derive(Debug, Subcommand)]
pub enum ProgrammeCommand {
    /// The programme templates in force: key, version, name, sessions and
    /// whether built in or the municipality's (reads the journal when
    /// there is one)
    Templates(Format),
    /// Start a programme for an open case; prints the programme's id
    Start(ProgrammeStart),
    /// Plan or move the return date of a case's programme
    Return {
        #[arg(long, value_name = "ID", value_parser = parse::id)]
        case: Uuid,
        /// The planned return date, YYYY-MM-DD, today or later
        #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse::return_date)]
        date: NaiveDate,
    },
    /// A case's programme: the planned sessions, which are done and the next
    Show {
        #[arg(long, value_name = "ID", value_parser = parse::id)]
        case: Uuid,
        #[command(flatten)]
        format: Format,
    },
}

/// The legal ground of a disclosure: one of the case's active consents, or
/// another ground named.
#[derive(Debug, Args)]
#[group(required = true, multiple = false)]
pub struct GroundArgs {
    /// An active consent of the case it is shared under
    #[arg(long, value_name = "ID", value_parser = parse::id)]
    pub consent: Option<Uuid>,
    /// Another legal ground, named (e.g. "OSL 10 kap. 2 §"): needed to
    /// share outside an active consent
    #[arg(long = "ground", value_name = "G")]
    pub named: Option<String>,
}

impl GroundArgs {
    pub fn into_ground(self) -> DisclosureGround {
        match (self.consent, self.named) {
            (Some(consent_id), _) => DisclosureGround::Consent { consent_id },
            (None, ground) => DisclosureGround::Other {
                ground: ground.unwrap_or_default(),
            },
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum DisclosureCommand {
    /// Record information shared outside the team, with its ground; prints
    /// its id
    Add {
        #[arg(long, value_name = "ID", value_parser = parse::id)]
        case: Uuid,
        /// To whom
        #[arg(long, value_name = "R")]
        recipient: String,
        /// What was shared
        #[arg(long, value_name = "W")]
        what: String,
        #[command(flatten)]
        ground: GroundArgs,
    },
    /// A case's disclosure register
    List {
        #[arg(long, value_name = "ID", value_parser = parse::id)]
        case: Uuid,
        #[command(flatten)]
        format: Format,
    },
}

#[derive(Debug, Subcommand)]
pub enum DeviationCommand {
    /// Record a deviation against a case; prints its id
    Add {
        #[arg(long, value_name = "ID", value_parser = parse::id)]
        case: Uuid,
        /// The partner's kind of organisation, as in `contacts --org`:
        /// school, student-health, bup, youth-clinic, child-health,
        /// police, leisure-services, social-services or other
        #[arg(long, value_name = "ORG", value_parser = parse::org_kind)]
        partner: OrgKind,
        /// late-contact, action-not-done, information-not-passed,
        /// guardian-as-messenger or other
        #[arg(long, value_name = "C", value_parser = parse::deviation_category)]
        category: DeviationCategory,
        /// What happened
        #[arg(long, value_name = "T")]
        text: String,
        /// The case's plan action it concerns
        #[arg(long, value_name = "ID", value_parser = parse::id)]
        action: Option<Uuid>,
    },
    /// Change a deviation's status
    Status {
        #[arg(value_parser = parse::id)]
        id: Uuid,
        /// open, raised (with the partner) or mended
        #[arg(long = "set", value_name = "STATUS", value_parser = parse::deviation_status)]
        status: DeviationStatus,
    },
    /// A case's deviations with their status
    List {
        #[arg(long, value_name = "ID", value_parser = parse::id)]
        case: Uuid,
        #[command(flatten)]
        format: Format,
    },
    /// The team's deviations by partner and category, aggregate: groups
    /// of fewer than 5 pupils and counts under 5 shown as "<5"
    Summary {
        /// Write the summary as CSV to this file
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
        /// Write it as PDF to this file
        #[arg(long, value_name = "FILE")]
        pdf: Option<PathBuf>,
        #[command(flatten)]
        format: Format,
    },
}

#[derive(Debug, Subcommand)]
pub enum ContactsCommand {
    /// Add a key person to the team's directory; prints their id
    Add(ContactAdd),
    /// Change a key person's organisation name, role, name, phone or
    /// e-mail (an empty phone or e-mail clears it)
    Edit {
        #[arg(value_parser = parse::id)]
        id: Uuid,
        #[command(flatten)]
        fields: ContactFields,
    },
    /// The person no longer holds the role: kept for history, no longer
    /// listed without --all
    LeftRole {
        #[arg(value_parser = parse::id)]
        id: Uuid,
    },
    /// The team's key persons who hold their role, by organisation
    List {
        /// Only this kind of organisation
        #[arg(long, value_name = "ORG", value_parser = parse::org_kind)]
        org: Option<OrgKind>,
        /// Those who left their role too
        #[arg(long)]
        all: bool,
        #[command(flatten)]
        format: Format,
    },
}

#[derive(Debug, Args)]
pub struct ContactAdd {
    /// The kind of organisation: school, student-health, bup,
    /// youth-clinic, child-health, police, leisure-services,
    /// social-services or other
    #[arg(long, value_name = "ORG", value_parser = parse::org_kind)]
    pub org: OrgKind,
    /// Which one: the school's name, the clinic's
    #[arg(long, value_name = "NAME", default_value = "")]
    pub org_name: String,
    /// E.g. rektor, mentor, skolsköterska, kurator
    #[arg(long)]
    pub role: String,
    #[arg(long)]
    pub name: String,
    #[arg(long, value_parser = parse::contact_phone)]
    pub phone: Option<String>,
    #[arg(long, value_parser = parse::contact_email)]
    pub email: Option<String>,
}

/// The fields of a key person an edit sets.
#[derive(Debug, Args)]
pub struct ContactFields {
    #[arg(long, value_name = "NAME")]
    pub org_name: Option<String>,
    #[arg(long)]
    pub role: Option<String>,
    #[arg(long)]
    pub name: Option<String>,
    #[arg(long, value_parser = parse::contact_phone)]
    pub phone: Option<String>,
    #[arg(long, value_parser = parse::contact_email)]
    pub email: Option<String>,
}

#[derive(Debug, Args)]
pub struct ProgrammeStart {
    #[arg(long, value_name = "ID", value_parser = parse::id)]
    pub case: Uuid,
    /// The template, by its key (`brygga programme templates`)
    #[arg(long, value_name = "KEY", value_parser = parse::programme_template)]
    pub template: String,
    /// The planned return date, YYYY-MM-DD, today or later
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse::return_date)]
    pub return_date: Option<NaiveDate>,
}

#[derive(Debug, Args)]
pub struct LadderSet {
    #[arg(long, value_name = "ID", value_parser = parse::id)]
    pub case: Uuid,
    /// The step reached, by its key (`brygga ladder steps`)
    #[arg(long, value_name = "STEP", value_parser = parse::ladder_step)]
    pub step: String,
    /// Why, or what was agreed
    #[arg(long, value_name = "TEXT", default_value = "")]
    pub note: String,
    /// The planned next step (needs --next-date)
    #[arg(long, value_name = "STEP", value_parser = parse::ladder_step, requires = "next_date")]
    pub next: Option<String>,
    /// The day the next step is planned for, YYYY-MM-DD (needs --next)
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse::date, requires = "next")]
    pub next_date: Option<NaiveDate>,
}

#[derive(Debug, Args)]
pub struct PlanAdd {
    #[arg(long, value_name = "ID", value_parser = parse::id)]
    pub case: Uuid,
    /// The pupil's needs
    #[arg(long)]
    pub needs: String,
    /// A measurable goal; repeat for more
    #[arg(long = "goal", value_name = "GOAL", required = true)]
    pub goals: Vec<String>,
    /// The party with overall responsibility
    #[arg(long)]
    pub lead: String,
    /// Follow-up date, YYYY-MM-DD
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse::date)]
    pub follow_up: NaiveDate,
    /// Who does what by when; repeat for more. WHO is a name or a key
    /// person's id (`brygga contacts list`)
    #[arg(long = "action", value_name = "WHO|WHAT|YYYY-MM-DD", value_parser = parse::action)]
    pub actions: Vec<NewAction>,
}

#[derive(Debug, Args)]
pub struct PlanRevise {
    #[arg(long, value_name = "ID", value_parser = parse::id)]
    pub plan: Uuid,
    /// The pupil's needs
    #[arg(long)]
    pub needs: Option<String>,
    /// A measurable goal; repeat for more. Replaces the plan's goals
    #[arg(long = "goal", value_name = "GOAL")]
    pub goals: Vec<String>,
    /// The party with overall responsibility
    #[arg(long)]
    pub lead: Option<String>,
    /// Follow-up date, YYYY-MM-DD
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse::date)]
    pub follow_up: Option<NaiveDate>,
    /// A new action: who does what by when; repeat for more
    #[arg(long = "action", value_name = "WHO|WHAT|YYYY-MM-DD", value_parser = parse::action)]
    pub actions: Vec<NewAction>,
    /// A changed action of the plan (ids: `brygga case show CASE`); repeat
    /// for more. An action no longer wanted is cancelled
    /// (`plan action-status ID cancelled`), not removed
    #[arg(long = "change", value_name = "ID=WHO|WHAT|YYYY-MM-DD", value_parser = parse::changed_action)]
    pub changes: Vec<(Uuid, NewAction)>,
}

#[derive(Debug, Subcommand)]
pub enum MeetingCommand {
    /// The agenda of a collaboration meeting: the open actions of the
    /// case's plans, whose follow-up is due, and the follow-ups due
    Agenda {
        #[arg(long, value_name = "ID", value_parser = parse::id)]
        case: Uuid,
        #[command(flatten)]
        format: Format,
    },
    /// Write the minutes and sign them as the case's collaboration-meeting
    /// entry; prints the entry's id
    Minutes(MeetingMinutes),
}

#[derive(Debug, Args)]
pub struct MeetingMinutes {
    #[arg(long, value_name = "ID", value_parser = parse::id)]
    pub case: Uuid,
    /// The minutes' text (`-` reads stdin)
    #[arg(long, value_name = "FILE")]
    pub text_file: PathBuf,
    /// What an action of the agenda came to; repeat for more
    #[arg(long = "result", value_name = "ACTION=TEXT", value_parser = parse::action_result)]
    pub results: Vec<(Uuid, String)>,
    /// Who took part, by organisation [default: the participants]
    #[arg(long)]
    pub parties: Option<String>,
    /// Who took part; repeat for more
    #[arg(long = "participant", value_name = "NAME")]
    pub participants: Vec<String>,
    /// A key person of the team who took part, by id (`brygga contacts
    /// list`); repeat for more
    #[arg(long = "key-person", value_name = "ID", value_parser = parse::id)]
    pub key_persons: Vec<Uuid>,
    /// When the meeting was held, RFC 3339 with offset [default: now]
    #[arg(long, value_name = "RFC3339", value_parser = parse::time)]
    pub at: Option<DateTime<Utc>>,
}

#[derive(Debug, Subcommand)]
pub enum ConcernCommand {
    /// Record a report of concern handed to the intake unit; prints its id
    Add {
        #[arg(long, value_name = "ID", value_parser = parse::id)]
        case: Uuid,
        /// When it was reported, RFC 3339 with offset
        #[arg(long, value_name = "RFC3339", value_parser = parse::time)]
        at: DateTime<Utc>,
        /// To whom it was reported
        #[arg(long)]
        to: String,
        /// Who reported it
        #[arg(long)]
        by: String,
        #[arg(long)]
        summary: String,
    },
}

#[derive(Debug, Args)]
pub struct SearchArgs {
    /// Words to find; every word must occur (as a prefix)
    #[arg(required = true, value_name = "QUERY")]
    pub query: Vec<String>,
    /// At most this many hits
    #[arg(long, default_value_t = 20)]
    pub limit: u32,
    #[command(flatten)]
    pub format: Format,
}

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Review the log by user, pupil and time
    List {
        /// Only rows by this user (the author name)
        #[arg(long, value_name = "NAME")]
        user: Option<String>,
        /// Only rows about this pupil
        #[arg(long, value_name = "ID", value_parser = parse::id)]
        pupil: Option<Uuid>,
        /// From this time, RFC 3339 with offset
        #[arg(long, value_name = "RFC3339", value_parser = parse::time)]
        from: Option<DateTime<Utc>>,
        /// Up to this time, RFC 3339 with offset
        #[arg(long, value_name = "RFC3339", value_parser = parse::time)]
        to: Option<DateTime<Utc>>,
        #[command(flatten)]
        format: Format,
    },
    /// Check the hash chain and that the tables replay from the operation log (exit 5 if not)
    Verify(Format),
}

#[derive(Debug, Subcommand)]
pub enum AttendanceCommand {
    /// Import a school system's weekly absence export (CSV); all or nothing
    Import(AttendanceImport),
    /// A pupil's absence: weeks, the last 4 and 8 weeks, the term, warning
    Show {
        #[arg(long, value_name = "ID", value_parser = parse::id)]
        pupil: Uuid,
        #[command(flatten)]
        format: Format,
    },
    /// The trend chart's data: a pupil's weeks and interventions on the time axis
    Chart {
        #[arg(long, value_name = "ID", value_parser = parse::id)]
        pupil: Uuid,
        #[command(flatten)]
        format: Format,
    },
    /// Every pupil's absence over the last 4 weeks and its trend, most first
    Overview(Format),
    /// Show, or set with --set, the warning thresholds in percent of scheduled time
    /// (--set is refused once the municipality has set them)
    Thresholds {
        /// Three ascending percentages, e.g. 10,15,20
        #[arg(long, value_name = "P1,P2,P3", value_parser = parse::thresholds)]
        set: Option<Thresholds>,
        #[command(flatten)]
        format: Format,
    },
}

#[derive(Debug, Args)]
pub struct AttendanceImport {
    /// The CSV file as the school system exported it
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// Check the file and show what would change; write nothing
    #[arg(long)]
    pub dry_run: bool,
    /// List rows of pupils not on this device as skipped instead of failing
    #[arg(long)]
    pub skip_unknown: bool,
    /// The column for a role whose header is not recognised; repeat for more.
    /// Roles: personnummer, week, year, from, to, scheduled, valid, invalid
    #[arg(long = "map", value_name = "ROLE=HEADER", value_parser = parse::column_map)]
    pub map: Vec<(Role, String)>,
    /// The unit of time columns whose header names none: min or tim
    /// [default: the other time columns' unit, else hours]
    #[arg(long, value_name = "UNIT", value_parser = parse::unit)]
    pub unit: Option<TimeUnit>,
    #[command(flatten)]
    pub format: Format,
}

#[derive(Debug, Subcommand)]
pub enum ExportCommand {
    /// A case's journal as PDF: signed entries, corrections beside them
    Journal(ExportJournal),
    /// The ESF project's participant list as CSV: personnummer, start and end date
    Esf {
        /// The CSV file to write
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
    },
    /// Follow-up statistics, aggregate, groups under 5 shown as "<5"
    #[command(group(ArgGroup::new("target").required(true).multiple(true).args(["out", "pdf"])))]
    Outcomes {
        /// Write the statistics as CSV to this file
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
        /// Write them as PDF, with how they are computed, to this file
        #[arg(long, value_name = "FILE")]
        pdf: Option<PathBuf>,
    },
}

#[derive(Debug, Args)]
pub struct ExportJournal {
    #[arg(long, value_name = "ID", value_parser = parse::id)]
    pub case: Uuid,
    /// The PDF file to write
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
    /// To whom it is handed [default with --consent: the consent's recipient]
    #[arg(long, value_name = "R", required_unless_present = "consent")]
    pub recipient: Option<String>,
    #[command(flatten)]
    pub ground: GroundArgs,
    /// A signed entry to leave out after a harm assessment; repeat for more
    #[arg(long = "leave-out", value_name = "ENTRY_ID", value_parser = parse::id, requires = "reasons")]
    pub leave_out: Vec<Uuid>,
    /// Why: once for every left-out entry, or once per --leave-out in the same order
    #[arg(long = "reason", value_name = "REASON", requires = "leave_out")]
    pub reasons: Vec<String>,
}

impl ExportJournal {
    /// Pairs each `--leave-out` with its `--reason`.
    pub fn leave_outs(&self) -> Result<Vec<LeaveOut>> {
        let reason_of = |i: usize| match self.reasons.as_slice() {
            [one] => Ok(one.clone()),
            many if many.len() == self.leave_out.len() => Ok(many[i].clone()),
            _ => Err(Failure::usage(format!(
                "{} --leave-out but {} --reason; give one reason for all, or one per --leave-out",
                self.leave_out.len(),
                self.reasons.len()
            ))),
        };
        self.leave_out
            .iter()
            .enumerate()
            .map(|(i, id)| {
                Ok(LeaveOut {
                    entry_id: *id,
                    reason: reason_of(i)?,
                })
            })
            .collect()
    }
}

/// The (sub)command named in `argv`, e.g. "brygga entry add", so an error
/// can say which `--help` to read.
pub fn typed_command(argv: impl IntoIterator<Item = OsString>) -> String {
    let mut command = Cli::command();
    let mut path = vec![command.get_name().to_owned()];
    for arg in argv.into_iter().skip(1) {
        let Some(sub) = arg
            .to_str()
            .and_then(|a| command.find_subcommand(a))
            .cloned()
        else {
            continue;
        };
        path.push(sub.get_name().to_owned());
        command = sub;
    }
    path.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_typed_command_is_found_among_the_arguments() {
        let argv = [
            "brygga",
            "--data-dir",
            "/x",
            "entry",
            "add",
            "--kind",
            "note",
        ]
        .map(OsString::from);
        assert_eq!(typed_command(argv), "brygga entry add");
        assert_eq!(typed_command([OsString::from("brygga")]), "brygga");
    }

    fn export_journal(argv: &[&str]) -> ExportJournal {
        let cli = Cli::try_parse_from(
            [
                "brygga",
                "export",
                "journal",
                "--case",
                "01950000-0000-7000-8000-000000000000",
                "--out",
                "j.pdf",
                "--consent",
                "01950000-0000-7000-8000-0000000000cc",
            ]
            .iter()
            .chain(argv),
        )
        .expect("parses");
        match cli.command {
            Command::Export(ExportCommand::Journal(args)) => args,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn each_left_out_entry_gets_its_reason() {
        let (a, b) = (
            "01950000-0000-7000-8000-00000000000a",
            "01950000-0000-7000-8000-00000000000b",
        );
        let one = export_journal(&[
            "--leave-out",
            a,
            "--leave-out",
            b,
            "--reason",
            "menprövning",
        ])
        .leave_outs()
        .expect("one reason for all");
        assert_eq!(one.len(), 2);
        assert!(one.iter().all(|l| l.reason == "menprövning"));
        let each = export_journal(&[
            "--leave-out",
            a,
            "--reason",
            "x",
            "--leave-out",
            b,
            "--reason",
            "y",
        ])
        .leave_outs()
        .expect("one each");
        assert_eq!(
            (each[0].reason.as_str(), each[1].reason.as_str()),
            ("x", "y")
        );
        assert!(
            export_journal(&["--leave-out", a, "--reason", "x", "--reason", "y"])
                .leave_outs()
                .is_err()
        );
        assert!(export_journal(&[]).leave_outs().expect("none").is_empty());
    }

    #[test]
    fn the_command_line_is_consistent() {
        Cli::command().debug_assert();
    }
}
