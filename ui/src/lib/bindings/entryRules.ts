// Generated from brygga-core's entry field table (entry_fields::rules) by
// src-tauri's bindings test: scripts/desktop-bindings.sh. Do not edit.

import type { KindRules } from './KindRules';

export const ENTRY_RULES: readonly KindRules[] = [
  {
    "kind": "home-visit",
    "text_required": true,
    "fields": [
      {
        "key": "place",
        "required": true,
        "input": {
          "type": "text"
        }
      },
      {
        "key": "purpose",
        "required": true,
        "input": {
          "type": "text"
        }
      },
      {
        "key": "agreed",
        "required": false,
        "input": {
          "type": "longtext"
        }
      },
      {
        "key": "programme_session",
        "required": false,
        "input": {
          "type": "text"
        }
      }
    ]
  },
  {
    "kind": "morning-checkin",
    "text_required": false,
    "fields": [
      {
        "key": "arrival",
        "required": true,
        "input": {
          "type": "choice",
          "options": [
            "arrived",
            "late",
            "not-seen"
          ]
        }
      },
      {
        "key": "time",
        "required": false,
        "input": {
          "type": "time"
        }
      },
      {
        "key": "mood",
        "required": false,
        "input": {
          "type": "text"
        }
      }
    ]
  },
  {
    "kind": "apartment-session",
    "text_required": true,
    "fields": [
      {
        "key": "teacher_present",
        "required": true,
        "input": {
          "type": "choice",
          "options": [
            "yes",
            "no"
          ]
        }
      },
      {
        "key": "step",
        "required": true,
        "input": {
          "type": "choice",
          "options": [
            "home-visits",
            "transition-apartment",
            "calmer-unit",
            "part-time-class",
            "full-time-class"
          ]
        }
      },
      {
        "key": "duration_min",
        "required": true,
        "input": {
          "type": "minutes",
          "min": 1,
          "max": 600
        }
      },
      {
        "key": "programme_session",
        "required": false,
        "input": {
          "type": "text"
        }
      }
    ]
  },
  {
    "kind": "consultation",
    "text_required": true,
    "fields": [
      {
        "key": "staff_role",
        "required": true,
        "input": {
          "type": "choice",
          "options": [
            "teacher",
            "mentor",
            "nurse",
            "counsellor",
            "principal",
            "other"
          ]
        }
      },
      {
        "key": "topic",
        "required": false,
        "input": {
          "type": "text"
        }
      },
      {
        "key": "programme_session",
        "required": false,
        "input": {
          "type": "text"
        }
      }
    ]
  },
  {
    "kind": "collaboration-meeting",
    "text_required": true,
    "fields": [
      {
        "key": "parties",
        "required": true,
        "input": {
          "type": "text"
        }
      },
      {
        "key": "outcome",
        "required": false,
        "input": {
          "type": "longtext"
        }
      },
      {
        "key": "programme_session",
        "required": false,
        "input": {
          "type": "text"
        }
      }
    ]
  },
  {
    "kind": "phone-call",
    "text_required": true,
    "fields": [
      {
        "key": "with_whom",
        "required": true,
        "input": {
          "type": "text"
        }
      },
      {
        "key": "direction",
        "required": false,
        "input": {
          "type": "choice",
          "options": [
            "incoming",
            "outgoing"
          ]
        }
      },
      {
        "key": "programme_session",
        "required": false,
        "input": {
          "type": "text"
        }
      }
    ]
  },
  {
    "kind": "note",
    "text_required": true,
    "fields": [
      {
        "key": "programme_session",
        "required": false,
        "input": {
          "type": "text"
        }
      }
    ]
  }
];
