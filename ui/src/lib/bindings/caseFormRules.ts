// Generated from brygga-core's case forms' table (form_rules::rules) by
// src-tauri's bindings test: scripts/desktop-bindings.sh. Do not edit.

import type { FormRules } from './FormRules';

export const FORM_RULES: readonly FormRules[] = [
  {
    "form": "consent",
    "fields": [
      {
        "key": "guardian_id",
        "required": true,
        "check": {
          "type": "choice"
        }
      },
      {
        "key": "scope",
        "required": true,
        "check": {
          "type": "text",
          "max_chars": 50000
        }
      },
      {
        "key": "recipient",
        "required": true,
        "check": {
          "type": "text",
          "max_chars": 50000
        }
      },
      {
        "key": "purpose",
        "required": true,
        "check": {
          "type": "text",
          "max_chars": 50000
        }
      },
      {
        "key": "form",
        "required": true,
        "check": {
          "type": "choice"
        }
      },
      {
        "key": "given_on",
        "required": true,
        "check": {
          "type": "date",
          "not_future": true,
          "not_before": null
        }
      },
      {
        "key": "valid_until",
        "required": false,
        "check": {
          "type": "date",
          "not_future": false,
          "not_before": "given_on"
        }
      }
    ]
  },
  {
    "form": "withdrawal",
    "fields": [
      {
        "key": "on",
        "required": true,
        "check": {
          "type": "date",
          "not_future": true,
          "not_before": "given_on"
        }
      }
    ]
  },
  {
    "form": "plan",
    "fields": [
      {
        "key": "needs",
        "required": true,
        "check": {
          "type": "text",
          "max_chars": 50000
        }
      },
      {
        "key": "goals",
        "required": true,
        "check": {
          "type": "items",
          "min": 1,
          "max_chars": 50000
        }
      },
      {
        "key": "lead_party",
        "required": true,
        "check": {
          "type": "text",
          "max_chars": 50000
        }
      },
      {
        "key": "follow_up_on",
        "required": true,
        "check": {
          "type": "date",
          "not_future": false,
          "not_before": null
        }
      },
      {
        "key": "actions",
        "required": false,
        "check": {
          "type": "rows",
          "fields": [
            {
              "key": "who",
              "required": true,
              "check": {
                "type": "text",
                "max_chars": 50000
              }
            },
            {
              "key": "what",
              "required": true,
              "check": {
                "type": "text",
                "max_chars": 50000
              }
            },
            {
              "key": "due_on",
              "required": false,
              "check": {
                "type": "date",
                "not_future": false,
                "not_before": null
              }
            }
          ]
        }
      }
    ]
  },
  {
    "form": "concern",
    "fields": [
      {
        "key": "reported_at",
        "required": true,
        "check": {
          "type": "moment",
          "slack_seconds": 60
        }
      },
      {
        "key": "to_whom",
        "required": true,
        "check": {
          "type": "text",
          "max_chars": 50000
        }
      },
      {
        "key": "by_whom",
        "required": true,
        "check": {
          "type": "text",
          "max_chars": 50000
        }
      },
      {
        "key": "summary",
        "required": true,
        "check": {
          "type": "text",
          "max_chars": 50000
        }
      }
    ]
  }
];
